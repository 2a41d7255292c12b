module m

replace (
	x.com/r6 v1.0.0 => ./r0
	x.com/r4 v1.0.0 => ./r1
	x.com/r1 v1.1.0 => ./r2
	x.com/r1 v1.2.0 => ./r3
	x.com/r3 v1.0.0 => ./r4
	x.com/r4 v1.0.0 => ./r5
	x.com/r7 v1.0.0 => ./r6
	x.com/r5 v1.2.0 => ./r7
	x.com/r6 v1.1.0 => ./r8
	x.com/r2 v1.0.0 => ./r9
	x.com/r8 v1.2.0 => ./r10
	x.com/r3 v1.0.0 => ./r11
	x.com/r2 v1.1.0 => ./r12
	x.com/r0 v1.0.0 => ./r13
	x.com/r3 v1.1.0 => ./r14
	x.com/r4 v1.2.0 => ./r15
	x.com/r3 v1.1.0 => ./r16
	x.com/r7 v1.2.0 => ./r17
	x.com/r2 v1.1.0 => ./r18
	x.com/r5 v1.0.0 => ./r19
	x.com/r4 v1.0.0 => ./r20
	x.com/r0 v1.0.0 => ./r21
	x.com/r8 v1.2.0 => ./r22
	x.com/r3 v1.2.0 => ./r23
	x.com/r7 v1.0.0 => ./r24
	x.com/r7 v1.0.0 => ./r25
	x.com/r6 v1.2.0 => ./r26
	x.com/r7 v1.2.0 => ./r27
	x.com/r6 v1.2.0 => ./r28
	x.com/r4 v1.2.0 => ./r29
	x.com/r3 v1.0.0 => ./r30
	x.com/r5 v1.0.0 => ./r31
	x.com/r2 v1.1.0 => ./r32
	x.com/r5 v1.0.0 => ./r33
	x.com/r2 v1.0.0 => ./r34
	x.com/r1 v1.2.0 => ./r35
	x.com/r4 v1.1.0 => ./r36
	x.com/r2 v1.0.0 => ./r37
	x.com/r1 v1.2.0 => ./r38
	x.com/r6 v1.2.0 => ./r39
	x.com/r4 v1.2.0 => ./r40
	x.com/r3 v1.2.0 => ./r41
	x.com/r4 v1.0.0 => ./r42
)

tool (
	x.com/t7
	x.com/t2
	x.com/t2
	x.com/t4
	x.com/t7
	x.com/t0
	x.com/t4
	x.com/t5
	x.com/t5
	x.com/t8
	x.com/t5
	x.com/t3
	x.com/t0
	x.com/t4
	x.com/t3
	x.com/t5
	x.com/t2
	x.com/t0
	x.com/t5
	x.com/t6
	x.com/t1
	x.com/t7
	x.com/t4
	x.com/t8
	x.com/t10
	x.com/t3
	x.com/t3
	x.com/t8
	x.com/t0
	x.com/t1
	x.com/t4
	x.com/t1
	x.com/t2
)

ignore (
	./i6
	./i0
	./i6
	./i0
	./i4
	./i4
	./i3
	./i1
	./i2
	./i6
	./i5
	./i7
	./i2
	./i4
	./i2
	./i0
	./i6
	./i2
	./i0
	./i3
	./i1
	./i0
	./i0
	./i2
	./i5
)
