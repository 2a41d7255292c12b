module example.com/m

go 1.22

require (

	// note 0
	example.com/p10 v1.3.1 // indirect
	example.com/p04 v1.1.2
	example.com/p12 v1.11.0
	example.com/p20 v1.9.0 // indirect
	example.com/p01 v1.9.0
	// note 5
	example.com/p02 v1.7.2
	example.com/p26 v1.8.1 // indirect

	example.com/p17 v1.5.1
	example.com/p03 v1.9.1
	example.com/p11 v1.5.1 // indirect
	// note 10
	example.com/p18 v1.3.0
	example.com/p01 v1.11.0
	example.com/p29 v1.1.2 // indirect
	example.com/p16 v1.4.2

	example.com/p06 v1.7.1
	// note 15
	example.com/p01 v1.11.1 // indirect
	example.com/p02 v1.4.2
	example.com/p13 v1.1.0
	example.com/p13 v1.8.1 // indirect
	example.com/p02 v1.2.1
	// note 20
	example.com/p07 v1.2.1

	example.com/p02 v1.6.0 // indirect
	example.com/p17 v1.10.0
	example.com/p13 v1.8.2
	example.com/p01 v1.5.1 // indirect
	// note 25
	example.com/p26 v1.11.1
	example.com/p18 v1.9.1
	example.com/p03 v1.9.1 // indirect

	example.com/p07 v1.1.0
	example.com/p20 v1.4.1
	// note 30
	example.com/p20 v1.11.2 // indirect
	example.com/p18 v1.1.0
	example.com/p01 v1.11.2
	example.com/p18 v1.4.2 // indirect
	example.com/p18 v1.9.2

	// note 35
	example.com/p12 v1.7.1
	example.com/p01 v1.11.1 // indirect
	example.com/p07 v1.10.1
	example.com/p01 v1.0.1
	example.com/p17 v1.5.0 // indirect
	// note 40
	example.com/p27 v1.9.0
	example.com/p04 v1.7.0

	example.com/p09 v1.3.1 // indirect
	example.com/p13 v1.2.2
	example.com/p04 v1.3.1
	// note 45
	example.com/p17 v1.6.1 // indirect
	example.com/p03 v1.1.0
	example.com/p18 v1.7.1
	example.com/p09 v1.8.1 // indirect

	example.com/p17 v1.2.1
	// note 50
	example.com/p26 v1.8.1
	example.com/p21 v1.11.1 // indirect
	example.com/p05 v1.5.2
	example.com/p03 v1.6.0
	example.com/p18 v1.2.0 // indirect
	// note 55
	example.com/p18 v1.2.0

	example.com/p20 v1.3.2
)

exclude (
	example.com/x1 v0.7.2-pre
	example.com/x1 v1.4.0
	example.com/x1 v1.8.1
	example.com/x2 v0.11.2
	example.com/x0 v1.14.2
	example.com/x3 v1.6.1
	example.com/x0 v1.10.1
	example.com/x0 v0.1.0
	example.com/x3 v0.1.1
	example.com/x0 v0.0.2-pre
	example.com/x1 v2.1.1
	example.com/x0 v0.13.0
	example.com/x3 v0.10.1
	example.com/x2 v2.5.1
	example.com/x0 v0.13.1
	example.com/x3 v1.7.1
	example.com/x0 v0.1.2
	example.com/x2 v2.4.1
	example.com/x1 v2.0.0-pre
	example.com/x2 v0.11.2
	example.com/x0 v2.4.2
	example.com/x0 v2.13.1
	example.com/x2 v0.5.0
	example.com/x2 v2.3.2
	example.com/x1 v0.13.1
	example.com/x1 v0.8.1
	example.com/x2 v2.0.0
	example.com/x2 v1.4.0-pre
	example.com/x2 v1.12.2
	example.com/x2 v1.1.0
	example.com/x0 v0.7.0
	example.com/x2 v0.7.2
	example.com/x0 v1.14.2
	example.com/x2 v2.1.2
	example.com/x0 v1.12.2
	example.com/x1 v1.14.0
	example.com/x3 v2.5.0-pre
	example.com/x3 v1.6.2
	example.com/x0 v2.2.0
	example.com/x1 v0.2.2
	example.com/x3 v2.2.2
	example.com/x3 v2.14.1
	example.com/x1 v2.8.0
	example.com/x0 v0.12.2
	example.com/x0 v2.11.0
)

retract (
	[v1.1.0, v1.3.0]
	v1.0.1
	v1.2.1
	v1.4.2
	[v1.3.0, v1.4.0]
	v1.0.2
	v1.3.3
	v1.4.1
	[v1.4.0, v1.4.0]
	v1.3.0
	v1.1.1
	bogus11
	[v1.0.0, v1.5.2]
	v1.0.3
	v1.0.0
	v1.1.2
	[v1.0.0, v1.0.2]
	v1.3.0
	v1.0.2
	v1.4.1
	[v1.2.0, v1.5.1]
	v1.4.3
	bogus22
	v1.5.2
	[v1.1.0, v1.4.1]
	v1.1.0
	v1.3.2
	v1.0.1
	[v1.0.0, v1.3.0]
	v1.5.0
	v1.1.2
	v1.1.1
	[v1.1.0, v1.3.2]
	bogus33
	v1.3.1
	v1.1.3
	[v1.3.0, v1.4.1]
	v1.3.2
	v1.2.2
	v1.0.3
	[v1.3.0, v1.5.0]
	v1.3.2
	v1.4.0
	v1.1.0
	[v1.2.0, v1.2.0]
	v1.1.1
	v1.3.2
	v1.3.3
	[v1.2.0, v1.5.0]
	v1.2.1
)
