module github.com/authbridge/authbridge/e2e

go 1.26.8

