package outlier

import "math"

// ClusterOpticsXi is scikit-learn 1.2.1's cluster_optics_xi(reachability,
// predecessor, ordering, min_samples, min_cluster_size, xi,
// predecessor_correction): the Xi-steep clusters of an OPTICS run. labels
// are indexed by point (-1 noise); hierarchy rows are [start, end]
// positions in the ordering, inclusive, smaller nested clusters first.
// Callers validate minSamples and minClusterSize (>= 2, <= n).
//
// It keeps scikit-learn's quirks on purpose, since they decide labels:
// steepness is read from reach[i]/reach[i+1] with IEEE semantics (0/0 and
// Inf/Inf are NaN and never steep, x/0 is +Inf and steep downward); a
// +Inf is appended to the plot; and _correct_predecessor looks up
// ordering[predecessor] (a point id used as a position, -1 meaning the
// last position, as numpy's negative index does).
func ClusterOpticsXi(reach []float64, pred, ordering []int, minSamples, minClusterSize int, xi float64, predecessorCorrection bool) (labels []int, hierarchy [][2]int) {
	n := len(ordering)
	plot := make([]float64, n+1)
	predPlot := make([]int, n)
	for i, o := range ordering {
		plot[i], predPlot[i] = reach[o], pred[o]
	}
	plot[n] = inf
	hierarchy = xiCluster(plot, predPlot, ordering, xi, minSamples, minClusterSize, predecessorCorrection)
	return xiLabels(ordering, hierarchy), hierarchy
}

type steepDown struct {
	start, end int
	mib        float64
}

// xiCluster is _xi_cluster; plot carries the trailing +Inf.
func xiCluster(plot []float64, predPlot, ordering []int, xi float64, minSamples, minClusterSize int, correct bool) [][2]int {
	n := len(plot) - 1
	xiC := 1 - xi
	steepUp := make([]bool, n)
	steepDn := make([]bool, n)
	up := make([]bool, n)
	down := make([]bool, n)
	for i := range n {
		ratio := plot[i] / plot[i+1] // NaN compares false, as numpy's do
		steepUp[i] = ratio <= xiC
		steepDn[i] = ratio >= 1/xiC
		down[i] = ratio > 1
		up[i] = ratio < 1
	}
	var sdas []steepDown
	var clusters [][2]int
	index := 0
	mib := 0.0
	for steep := range n {
		if !steepUp[steep] && !steepDn[steep] {
			continue
		}
		if steep < index {
			continue
		}
		for _, v := range plot[index : steep+1] {
			mib = pyMax(mib, v)
		}
		sdas = updateFilterSDAs(sdas, mib, xiC, plot)
		if steepDn[steep] {
			dEnd := extendRegion(steepDn, up, steep, minSamples)
			sdas = append(sdas, steepDown{start: steep, end: dEnd})
			index = dEnd + 1
			mib = plot[index]
			continue
		}
		uStart := steep
		uEnd := extendRegion(steepUp, down, uStart, minSamples)
		index = uEnd + 1
		mib = plot[index]
		var uClusters [][2]int
		for _, D := range sdas {
			cStart, cEnd := D.start, uEnd
			// line (**), sc2*
			if plot[cEnd+1]*xiC < D.mib {
				continue
			}
			// Definition 11: criterion 4
			dMax := plot[D.start]
			if dMax*xiC >= plot[cEnd+1] {
				for plot[cStart+1] > plot[cEnd+1] && cStart < D.end {
					cStart++
				}
			} else if plot[cEnd+1]*xiC >= dMax {
				for at(plot, cEnd-1) > dMax && cEnd > uStart {
					cEnd--
				}
			}
			if correct {
				var ok bool
				if cStart, cEnd, ok = correctPredecessor(plot, predPlot, ordering, cStart, cEnd); !ok {
					continue
				}
			}
			if cEnd-cStart+1 < minClusterSize || cStart > D.end || cEnd < uStart {
				continue // criteria 3.a, 1 and 2
			}
			uClusters = append(uClusters, [2]int{cStart, cEnd})
		}
		for i := len(uClusters) - 1; i >= 0; i-- { // smaller clusters first
			clusters = append(clusters, uClusters[i])
		}
	}
	return clusters
}

// pyMax is Python's max(a, b): a unless b > a.
func pyMax(a, b float64) float64 {
	if b > a {
		return b
	}
	return a
}

// at indexes like numpy: -1 is the last element.
func at[T any](s []T, i int) T {
	if i < 0 {
		i += len(s)
	}
	return s[i]
}

// extendRegion is _extend_region: the end of a maximal steep region that
// starts at start and holds no more than minSamples consecutive non-steep
// points, stopping at the first point going the other way.
func extendRegion(steep, xward []bool, start, minSamples int) int {
	nonX := 0
	end := start
	for i := start; i < len(steep); i++ {
		switch {
		case steep[i]:
			nonX = 0
			end = i
		case !xward[i]:
			nonX++
			if nonX > minSamples {
				return end
			}
		default:
			return end
		}
	}
	return end
}

// updateFilterSDAs is _update_filter_sdas: drop the steep down areas whose
// start is too low for mib and raise the others' mib.
func updateFilterSDAs(sdas []steepDown, mib, xiC float64, plot []float64) []steepDown {
	if math.IsInf(mib, 0) {
		return nil
	}
	res := sdas[:0]
	for _, s := range sdas {
		if mib <= plot[s.start]*xiC {
			s.mib = pyMax(s.mib, mib)
			res = append(res, s)
		}
	}
	return res
}

// correctPredecessor is _correct_predecessor (Schubert and Gertz 2018,
// algorithm 2) with scikit-learn's indexing kept: ordering[predPlot[e]].
func correctPredecessor(plot []float64, predPlot, ordering []int, s, e int) (int, int, bool) {
	for s < e {
		if plot[s] > plot[e] {
			return s, e, true
		}
		pe := at(ordering, predPlot[e])
		for _, o := range ordering[s:e] {
			if pe == o {
				return s, e, true
			}
		}
		e--
	}
	return 0, 0, false
}

// xiLabels is _extract_xi_labels: each cluster, smallest first, labels its
// range of the ordering unless part of the range is labelled already.
func xiLabels(ordering []int, clusters [][2]int) []int {
	n := len(ordering)
	byPos := make([]int, n)
	for i := range byPos {
		byPos[i] = -1
	}
	label := 0
	for _, c := range clusters {
		free := true
		for _, l := range byPos[c[0] : c[1]+1] {
			if l != -1 {
				free = false
				break
			}
		}
		if free {
			for i := c[0]; i <= c[1]; i++ {
				byPos[i] = label
			}
			label++
		}
	}
	labels := make([]int, n)
	for i, o := range ordering {
		labels[o] = byPos[i]
	}
	return labels
}
