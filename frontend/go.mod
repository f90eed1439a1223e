module github.com/authbridge/authbridge/frontend

go 1.26.8

require github.com/authbridge/authbridge/shared v0.0.0

require github.com/andybalholm/brotli v1.2.0 // indirect

require (
	github.com/google/uuid v1.6.0 // indirect
	github.com/maxence-charriere/go-app/v10 v10.1.11
)

replace github.com/authbridge/authbridge/shared => ../shared
