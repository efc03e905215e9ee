module libreqc/bench/goreqc

go 1.24

require (
	github.com/libreqc/libreqc/bindings/go v0.0.0
	libreqc/bench/go v0.0.0
)

replace (
	github.com/libreqc/libreqc/bindings/go => ../../bindings/go
	libreqc/bench/go => ../go
)
