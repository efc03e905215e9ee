module libreqc/bench/go

go 1.24
