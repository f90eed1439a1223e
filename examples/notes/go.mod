module github.com/authbridge/authbridge/examples/notes

go 1.26.8

require (
	github.com/authbridge/authbridge/frontend v0.0.0
	github.com/authbridge/authbridge/shared v0.0.0
	github.com/authbridge/authbridge/verify v0.0.0
	github.com/maxence-charriere/go-app/v10 v10.1.11
)

require (
	github.com/andybalholm/brotli v1.2.0 // indirect
	github.com/golang-jwt/jwt/v5 v5.3.1 // indirect
	github.com/google/uuid v1.6.0 // indirect
)

replace (
	github.com/authbridge/authbridge/frontend => ../../frontend
	github.com/authbridge/authbridge/shared => ../../shared
	github.com/authbridge/authbridge/verify => ../../verify
)
