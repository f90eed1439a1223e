module github.com/authbridge/authbridge/backend

go 1.26.8

require github.com/authbridge/authbridge/shared v0.0.0

require (
	golang.org/x/net v0.62.0 // indirect
	golang.org/x/text v0.43.0 // indirect
)

replace github.com/authbridge/authbridge/shared => ../shared
