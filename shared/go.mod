module github.com/authbridge/authbridge/shared

go 1.26.8
