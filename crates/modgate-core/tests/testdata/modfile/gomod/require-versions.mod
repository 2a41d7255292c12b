module m

require (
	example.com/incompat v2.0.0+incompatible
	example.com/pseudo v0.0.0-20191109021931-daa7c04131f5
	example.com/pseudo2 v1.2.4-0.20191109021931-daa7c04131f5
	example.com/pre v1.0.0-rc.1
	example.com/v2 v2.3.4
	gopkg.in/yaml.v2 v2.2.8
	gopkg.in/check.v1 v0.0.0-20161208181325-20d25e280405
	gopkg.in/foo.v0 v0.1.0
	example.com/big v1.99999999999999999999.0
)
