#include "textflag.h"

// func sqDist4AVX(q *float64, d int, grp *float64, groups int, out *float64, skip *float64, skipStep int, mask *uint8)
//
// mask[g] gets bit l set when out[4g+l] <= skip lane l of group g
// (VCMPPD LE_OQ); group g's four skip lanes start skipStep*g bytes into
// skip: 32 gives every point its own bound (OPTICS), 0 one bound for all
// (the kd-tree's leaf scans). For each group of four points (4*d
// float64, dimension-major) the four lanes accumulate (q[t]-x[t])^2 in
// dimension order with separate multiply and add, so each lane's sum is
// the sequential scalar sum. Four groups run together to hide the add
// latency.
TEXT ·sqDist4AVX(SB), NOSPLIT, $0-64
	MOVQ q+0(FP), SI
	MOVQ d+8(FP), CX
	MOVQ grp+16(FP), DI
	MOVQ groups+24(FP), BX
	MOVQ out+32(FP), DX
	MOVQ skip+40(FP), R13
	MOVQ skipStep+48(FP), R15
	MOVQ mask+56(FP), R14
	MOVQ CX, R8
	SHLQ $5, R8          // R8 = bytes per group = 32*d
	LEAQ (R8)(R8*2), R11 // R11 = 3 groups

quad:
	CMPQ BX, $4
	JLT  single
	VXORPD Y0, Y0, Y0
	VXORPD Y1, Y1, Y1
	VXORPD Y2, Y2, Y2
	VXORPD Y3, Y3, Y3
	XORQ R9, R9          // 8*t
	MOVQ DI, R10         // group 0, dimension t
	MOVQ CX, R12

quaddim:
	VBROADCASTSD (SI)(R9*1), Y4
	VMOVUPD (R10), Y5
	VSUBPD  Y5, Y4, Y5
	VMULPD  Y5, Y5, Y5
	VADDPD  Y5, Y0, Y0
	VMOVUPD (R10)(R8*1), Y6
	VSUBPD  Y6, Y4, Y6
	VMULPD  Y6, Y6, Y6
	VADDPD  Y6, Y1, Y1
	VMOVUPD (R10)(R8*2), Y7
	VSUBPD  Y7, Y4, Y7
	VMULPD  Y7, Y7, Y7
	VADDPD  Y7, Y2, Y2
	VMOVUPD (R10)(R11*1), Y8
	VSUBPD  Y8, Y4, Y8
	VMULPD  Y8, Y8, Y8
	VADDPD  Y8, Y3, Y3
	ADDQ $8, R9
	ADDQ $32, R10
	DECQ R12
	JNZ  quaddim

	VMOVUPD Y0, (DX)
	VMOVUPD Y1, 32(DX)
	VMOVUPD Y2, 64(DX)
	VMOVUPD Y3, 96(DX)
	LEAQ (R13)(R15*2), AX // group 2's skip lanes; group 3's follow one step on
	VCMPPD  $0x12, (R13), Y0, Y0
	VCMPPD  $0x12, (R13)(R15*1), Y1, Y1
	VCMPPD  $0x12, (AX), Y2, Y2
	VCMPPD  $0x12, (AX)(R15*1), Y3, Y3
	VMOVMSKPD Y0, AX
	MOVB AX, (R14)
	VMOVMSKPD Y1, AX
	MOVB AX, 1(R14)
	VMOVMSKPD Y2, AX
	MOVB AX, 2(R14)
	VMOVMSKPD Y3, AX
	MOVB AX, 3(R14)
	LEAQ (DI)(R8*4), DI
	ADDQ $128, DX
	LEAQ (R13)(R15*4), R13
	ADDQ $4, R14
	SUBQ $4, BX
	JMP  quad

single:
	TESTQ BX, BX
	JZ    done
	VXORPD Y0, Y0, Y0
	XORQ R9, R9
	MOVQ DI, R10
	MOVQ CX, R12

singledim:
	VBROADCASTSD (SI)(R9*1), Y4
	VMOVUPD (R10), Y5
	VSUBPD  Y5, Y4, Y5
	VMULPD  Y5, Y5, Y5
	VADDPD  Y5, Y0, Y0
	ADDQ $8, R9
	ADDQ $32, R10
	DECQ R12
	JNZ  singledim

	VMOVUPD Y0, (DX)
	VCMPPD  $0x12, (R13), Y0, Y0
	VMOVMSKPD Y0, AX
	MOVB AX, (R14)
	ADDQ R8, DI
	ADDQ $32, DX
	ADDQ R15, R13
	INCQ R14
	DECQ BX
	JMP  single

done:
	VZEROUPPER
	RET

// func minAVX(x *float64, n int) float64
//
// The smallest of x[:n], n a positive multiple of 4, for values that are
// never NaN.
TEXT ·minAVX(SB), NOSPLIT, $0-24
	MOVQ x+0(FP), SI
	MOVQ n+8(FP), CX
	VMOVUPD (SI), Y0
	ADDQ $32, SI
	SUBQ $4, CX

minloop:
	TESTQ CX, CX
	JZ    minfold
	VMINPD (SI), Y0, Y0
	ADDQ $32, SI
	SUBQ $4, CX
	JMP  minloop

minfold:
	VEXTRACTF128 $1, Y0, X1
	VMINPD X1, X0, X0
	VPERMILPD $1, X0, X1
	VMINPD X1, X0, X0
	VZEROUPPER
	MOVSD X0, ret+16(FP)
	RET
