module github.com/libreqc/libreqc/bindings/go

go 1.24
