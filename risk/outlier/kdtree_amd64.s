#include "textflag.h"

// func minRdist2SSE(pt *float64, d int, lo, hi *float64) (s1, s2 float64)
//
// minRdist for nodes c and c+1, whose bounds are consecutive: lo and hi
// point at node c's, node c+1's follow 8*d bytes on. Lane 0 is node c,
// lane 1 node c+1; each lane does minRdist's operations in its order:
// h = 0.5*((dlo+|dlo|) + (dhi+|dhi|)), s += h*h, no FMA.
TEXT ·minRdist2SSE(SB), NOSPLIT, $0-48
	MOVQ pt+0(FP), SI
	MOVQ d+8(FP), CX
	MOVQ lo+16(FP), DI
	MOVQ hi+24(FP), R8
	MOVQ CX, R9
	SHLQ $3, R9              // R9 = bytes from node c to node c+1
	XORPD X0, X0             // the two sums
	PCMPEQL X7, X7
	PSRLQ $1, X7             // X7 = |x| mask
	MOVQ $0x3FE0000000000000, AX
	MOVQ AX, X6
	SHUFPD $0, X6, X6        // X6 = (0.5, 0.5)

loop:
	MOVSD (SI), X1
	SHUFPD $0, X1, X1        // X1 = (x, x)
	MOVSD (DI), X2
	MOVHPD (DI)(R9*1), X2    // X2 = (lo1, lo2)
	MOVSD (R8), X3
	MOVHPD (R8)(R9*1), X3    // X3 = (hi1, hi2)
	SUBPD X1, X2             // dlo = lo - x
	MOVAPD X1, X4
	SUBPD X3, X4             // dhi = x - hi
	MOVAPD X2, X5
	ANDPD X7, X5
	ADDPD X5, X2             // dlo + |dlo|
	MOVAPD X4, X5
	ANDPD X7, X5
	ADDPD X5, X4             // dhi + |dhi|
	ADDPD X4, X2
	MULPD X6, X2             // h
	MULPD X2, X2
	ADDPD X2, X0
	ADDQ $8, SI
	ADDQ $8, DI
	ADDQ $8, R8
	DECQ CX
	JNZ  loop

	MOVSD  X0, s1+32(FP)
	MOVHPD X0, s2+40(FP)
	RET

// func boxBoundsSSE(pt *float64, d int, lo, hi *float64) (lb, ub float64)
//
// The two sums boxVsBall compares with a radius, each term as it
// computes it: lb adds h*h, h = 0.5*((dlo+|dlo|) + (dhi+|dhi|)); ub adds
// f*f, f = max(|dlo|, |dhi|); dlo = lo-x, dhi = x-hi. Both in full: a sum
// of non-negative terms only grows, so stopping early cannot change a
// comparison with it.
TEXT ·boxBoundsSSE(SB), NOSPLIT, $0-48
	MOVQ pt+0(FP), SI
	MOVQ d+8(FP), CX
	MOVQ lo+16(FP), DI
	MOVQ hi+24(FP), R8
	XORPD X0, X0             // lb
	XORPD X9, X9             // ub
	PCMPEQL X7, X7
	PSRLQ $1, X7             // X7 = |x| mask
	MOVQ $0x3FE0000000000000, AX
	MOVQ AX, X8              // 0.5

bbloop:
	MOVSD (SI), X1           // x
	MOVSD (DI), X2
	SUBSD X1, X2             // dlo = lo - x
	SUBSD (R8), X1           // dhi = x - hi
	MOVAPD X2, X4
	ANDPD X7, X4             // |dlo|
	MOVAPD X1, X5
	ANDPD X7, X5             // |dhi|
	MOVAPD X4, X6
	MAXSD X5, X6             // f
	MULSD X6, X6
	ADDSD X6, X9
	ADDSD X4, X2             // dlo + |dlo|
	ADDSD X5, X1             // dhi + |dhi|
	ADDSD X1, X2
	MULSD X8, X2             // h
	MULSD X2, X2
	ADDSD X2, X0
	ADDQ $8, SI
	ADDQ $8, DI
	ADDQ $8, R8
	DECQ CX
	JNZ  bbloop

	MOVSD X0, lb+32(FP)
	MOVSD X9, ub+40(FP)
	RET
