module github.com/authbridge/authbridge/backend

go 1.26.8

require github.com/authbridge/authbridge/shared v0.0.0

replace github.com/authbridge/authbridge/shared => ../shared
