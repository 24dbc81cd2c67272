// Command gen derives the tables of package zhnames from the Chinese
// dictionaries that github.com/go-ego/gse ships, its copies of jieba's
// dict.txt (data/dict/zh/s_1.txt) and idf.txt, both MIT:
//
//   - words.txt: word frequencies, for the segmentation a name competes
//     with, marked p when jieba tags the word as a name and with a class
//     (verb, adverb, preposition, conjunction, particle) that tells a
//     name beside it; single characters as frequent as idf.txt implies;
//   - given.txt: per surname, how many names; per character, how often it
//     stands first or second of two given-name characters or alone, from
//     the entries tagged nr that start with a surname of surnames.txt and
//     from idf.txt's surname-and-character words that dict.txt lacks; and
//     those words, as known names.
//
// Run it from the repository root:
//
//	go mod download github.com/go-ego/gse@v0.80.3
//	go run ./anonymize/pii/zhnames/internal/gen
package main

import (
	"bufio"
	"flag"
	"fmt"
	"maps"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

const gseVersion = "v0.80.3"

func main() {
	dict := flag.String("dict", "", "jieba-format dictionary (default: gse "+gseVersion+"'s data/dict/zh/s_1.txt in the module cache)")
	out := flag.String("out", "anonymize/pii/zhnames", "folder to write words.txt and given.txt")
	minFreq := flag.Int("min", 5, "smallest frequency of a word to keep")
	flag.Parse()
	if *dict == "" {
		cache, err := exec.Command("go", "env", "GOMODCACHE").Output()
		if err != nil {
			fail(fmt.Errorf("go env GOMODCACHE: %w", err))
		}
		*dict = filepath.Join(strings.TrimSpace(string(cache)), "github.com/go-ego/gse@"+gseVersion, "data/dict/zh/s_1.txt")
	}
	if err := run(*dict, *out, *minFreq); err != nil {
		fail(err)
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "gen:", err)
	os.Exit(1)
}

// han reports whether every rune of w is a Han character of the basic
// plane, which the word table packs into 16 bits.
func han(w string) bool {
	for _, r := range w {
		if r < 0x3400 || r > 0x9fff {
			return false
		}
	}
	return w != ""
}

func run(dict, out string, minFreq int) error {
	idf := filepath.Join(filepath.Dir(dict), "idf.txt")
	f, err := os.Open(dict)
	if err != nil {
		return fmt.Errorf("open dictionary (try: go mod download github.com/go-ego/gse@%s): %w", gseVersion, err)
	}
	defer f.Close()
	surnames, err := surnameSet(filepath.Join(out, "surnames.txt"))
	if err != nil {
		return err
	}
	words := map[string]int{}
	person := map[string]bool{}
	class := map[string]string{}
	all := map[string]int{} // every entry, whatever its frequency
	type entry struct {
		w    string
		freq int
	}
	var entries []entry
	total := 0
	// given[r] counts r as the first of two, the second of two, and the
	// only given-name character; sur counts names per surname.
	given := map[rune]*[3]int{}
	sur := map[string]int{}
	count := func(r rune, i int) {
		if given[r] == nil {
			given[r] = new([3]int)
		}
		given[r][i]++
	}
	sc := bufio.NewScanner(f)
	for line := 1; sc.Scan(); line++ {
		fs := strings.Fields(sc.Text())
		if len(fs) < 3 {
			continue
		}
		w, tag := fs[0], fs[2]
		freq, err := strconv.Atoi(fs[1])
		if err != nil {
			return fmt.Errorf("%s:%d: frequency: %w", dict, line, err)
		}
		n := utf8.RuneCountInString(w)
		if !han(w) || n > 4 {
			continue
		}
		all[w] += freq
		if tag == "nr" {
			entries = append(entries, entry{w, freq})
		}
		total += freq
		if freq < minFreq {
			continue
		}
		// Entries tagged as names (nr, nrt, nrfg) are marked: jieba tags
		// many words so (谢谢, 文明, 吉林), and the model decides.
		if tag == "nr" || tag == "nrt" || tag == "nrfg" {
			person[w] = true
		} else if c := wordClass(tag); c != "" {
			class[w] = c
		}
		words[w] += freq
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("read %s: %w", dict, err)
	}
	for _, e := range entries {
		w, freq := e.w, e.freq
		n := utf8.RuneCountInString(w)
		{
			rs := []rune(w)
			sl := 0
			if n >= 3 && surnames[string(rs[:2])] {
				sl = 2
			} else if surnames[string(rs[:1])] {
				sl = 1
			}
			switch g := n - sl; {
			case sl == 0 || g < 1 || g > 2:
			case foreign(rs[sl:]):
				// A transliteration: 史莱克, 罗伯特.
			case g == 2 && all[string(rs[:sl+1])] > freq:
				// Junk from segmented novels: a known name or word and
				// the verb after it (林冲告, 戴宗告, 黄衣少).
			case g == 1:
				count(rs[sl], 2)
				sur[string(rs[:sl])]++
			default:
				count(rs[sl], 0)
				count(rs[sl+1], 1)
				sur[string(rs[:sl])]++
			}
		}
	}
	if err := singles(idf, words, total); err != nil {
		return err
	}
	// idf.txt holds words jieba found in its corpus beyond dict.txt; those
	// of a surname and one character are mostly names (张怡, 陈斌, 李薇),
	// which dict.txt has few of.
	var known []string
	if err := idfNames(idf, all, surnames, func(s string, r rune) {
		count(r, 2)
		sur[s]++
		known = append(known, s+string(r))
	}); err != nil {
		return err
	}
	var b strings.Builder
	fmt.Fprintf(&b, "# word frequency [p: tagged as a name; V verb, D adverb, P preposition, C conjunction, U particle]; derived from jieba's dict.txt (MIT) as shipped by gse %s (data/dict/zh/s_1.txt) by internal/gen\n", gseVersion)
	fmt.Fprintf(&b, "total %d\n", total)
	for _, w := range slices.Sorted(maps.Keys(words)) {
		switch {
		case person[w]:
			fmt.Fprintf(&b, "%s %d p\n", w, words[w])
		case class[w] != "":
			fmt.Fprintf(&b, "%s %d %s\n", w, words[w], class[w])
		default:
			fmt.Fprintf(&b, "%s %d\n", w, words[w])
		}
	}
	if err := os.WriteFile(filepath.Join(out, "words.txt"), []byte(b.String()), 0o644); err != nil {
		return fmt.Errorf("write words: %w", err)
	}
	b.Reset()
	b.WriteString("# S surname names; G char first second single: given-name counts; N a name of idf.txt; derived from jieba's dict.txt and idf.txt (MIT, via gse " + gseVersion + ") by internal/gen\n")
	for _, s := range slices.Sorted(maps.Keys(sur)) {
		fmt.Fprintf(&b, "S %s %d\n", s, sur[s])
	}
	for _, r := range slices.Sorted(maps.Keys(given)) {
		c := given[r]
		fmt.Fprintf(&b, "G %c %d %d %d\n", r, c[0], c[1], c[2])
	}
	slices.Sort(known)
	for _, k := range known {
		fmt.Fprintf(&b, "N %s\n", k)
	}
	if err := os.WriteFile(filepath.Join(out, "given.txt"), []byte(b.String()), 0o644); err != nil {
		return fmt.Errorf("write given: %w", err)
	}
	return nil
}

// surnameSet reads the package's hand-written surname list: single
// characters on the lines without a blank, compound surnames between blanks.
func surnameSet(path string) (map[string]bool, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read surnames: %w", err)
	}
	set := map[string]bool{}
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, "#") {
			continue
		}
		if strings.Contains(line, " ") {
			for _, s := range strings.Fields(line) {
				set[s] = true
			}
			continue
		}
		for _, r := range strings.TrimSpace(line) {
			set[string(r)] = true
		}
	}
	return set, nil
}

// singles raises the frequency of single characters to what jieba's
// idf.txt implies: dict.txt undercounts characters that are words on their
// own (给 3, 为 100), which would make any name cheaper than them. A
// character's document share over ten is taken as its share of words.
func singles(idf string, words map[string]int, total int) error {
	b, err := os.ReadFile(idf)
	if err != nil {
		return fmt.Errorf("read idf: %w", err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		fs := strings.Fields(line)
		if len(fs) != 2 || utf8.RuneCountInString(fs[0]) != 1 || !han(fs[0]) {
			continue
		}
		v, err := strconv.ParseFloat(fs[1], 64)
		if err != nil {
			return fmt.Errorf("idf %q: %w", line, err)
		}
		if f := int(float64(total) * math.Exp(-v) / 10); f > words[fs[0]] {
			words[fs[0]] = f
		}
	}
	return nil
}

// foreignChars are characters that stand almost only in transliterations.
const foreignChars = `埃奥拜贝彼宾布迪蒂厄恩菲弗盖戈格圭赫基卡坎考柯克肯库奎拉莱朗劳勒里卢鲁伦洛玛曼姆穆纳内尼涅努诺帕珀普奇切萨赛瑟森舍斯索塔泰坦特托瓦韦维沃乌希耶伊约泽扎兹佐尔夫丝茨`

// foreign reports whether every given-name character is a transliteration
// character.
func foreign(given []rune) bool {
	for _, r := range given {
		if !strings.ContainsRune(foreignChars, r) {
			return false
		}
	}
	return true
}

// idfNames calls name for every word of idf.txt that dict.txt lacks and
// that is a single-character surname and one more character.
func idfNames(idf string, dict map[string]int, surnames map[string]bool, name func(string, rune)) error {
	b, err := os.ReadFile(idf)
	if err != nil {
		return fmt.Errorf("read idf: %w", err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		fs := strings.Fields(line)
		if len(fs) != 2 || !han(fs[0]) || utf8.RuneCountInString(fs[0]) != 2 || dict[fs[0]] > 0 {
			continue
		}
		rs := []rune(fs[0])
		if surnames[string(rs[0])] {
			name(string(rs[0]), rs[1])
		}
	}
	return nil
}

// wordClass returns the class of a jieba tag that tells a name beside it:
// a verb, adverb, preposition, conjunction or particle; or "".
func wordClass(tag string) string {
	switch {
	case tag == "v" || tag == "vd" || tag == "vi" || tag == "vg" || tag == "vq":
		return "V"
	case tag == "d" || tag == "dg" || tag == "ad":
		return "D"
	case tag == "p":
		return "P"
	case tag == "c":
		return "C"
	case strings.HasPrefix(tag, "u"):
		return "U"
	}
	return ""
}
