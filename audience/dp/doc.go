// Package dp answers audience-size questions with ε-differentially private
// noisy counts, sampled exactly.
//
// # The mechanism
//
// [Sampler.NoisyCount] returns trueCount + Y, where Y is drawn from the
// discrete Laplace distribution with scale 1/ε:
//
//	P(Y = y) = (1 - e^-ε)/(1 + e^-ε) · e^(-ε|y|),   y ∈ ℤ
//
// Y is sampled by Algorithms 1 and 2 of Canonne, Kamath and Steinke, "The
// Discrete Gaussian for Differential Privacy" (NeurIPS 2020), with ε = s/t
// as integers (ε is held in millionths, see [Epsilon]). Every step is a
// comparison of uniform integers drawn by rejection from the bytes of an
// [io.Reader], so the output has exactly this distribution if the bytes are
// uniform. There is no floating point in the sampler: Mironov (CCS 2012)
// showed that the low bits of a floating-point Laplace sample reveal the
// value it was added to.
//
// # What is guaranteed
//
// One draw of [Sampler.NoisyCount] at ε is ε-differentially private for one
// counting query of sensitivity 1: a query whose answer changes by at most
// 1 when one consumer is added to or removed from the data. That holds when
// the count counts distinct consumers; a count of events, or of rows where a
// consumer may appear several times, has a larger sensitivity and this
// guarantee does not cover it.
//
// Answers compose sequentially: k draws at ε₁…ε_k over the same consumers
// cost ε₁+…+ε_k in total. [Epsilon.Micros] gives the exact integer cost of a
// draw, so a budget ledger can add and compare spends without float drift.
// Clamping a noisy answer to ≥ 0, rounding it, or any other computation on
// the answer alone (post-processing) costs nothing further.
//
// # What is not protected
//
//   - Repeated draws. Each draw spends ε; drawing again for the same
//     question and averaging the answers recovers the true count. A caller
//     must store the answer it drew and serve that stored answer to every
//     repeat of the question, and charge the ledger once.
//   - Anything else released about the same consumers. An export of the
//     audience reveals its exact size, and the noise on the count then
//     protects nothing; nor does the count hide who is in an exported list.
//   - Timing. The sampler's running time depends on the value it draws (as
//     CKS note). Drawing once, storing, and serving the stored answer keeps
//     the draw's timing away from the merchant.
//   - A predictable source. The guarantee assumes uniform bytes; production
//     uses crypto/rand (a nil [Sampler.Rand]). A seeded generator is for
//     tests only.
//
// # How large the noise is
//
// For m ≥ 1, P(|Y| ≥ m) = 2e^(-εm)/(1 + e^-ε). With ε = 0.5 the noise is at
// least 10 in magnitude with probability 0.84%, and at least 20 with
// probability 0.0057%. [TailProbability] computes this for reports and
// [ConfidenceInterval] inverts it.
package dp
