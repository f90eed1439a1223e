module github.com/authbridge/authbridge/verify

go 1.26.8

require (
	github.com/authbridge/authbridge/shared v0.0.0
	github.com/golang-jwt/jwt/v5 v5.3.1
)

replace github.com/authbridge/authbridge/shared => ../shared
