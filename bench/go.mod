module github.com/authbridge/authbridge/bench

go 1.26.8

require (
	github.com/authbridge/authbridge/shared v0.0.0
	github.com/go-sql-driver/mysql v1.10.1
)

require filippo.io/edwards25519 v1.2.0 // indirect

replace github.com/authbridge/authbridge/shared => ../shared
