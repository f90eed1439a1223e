module github.com/authbridge/authbridge/e2e

go 1.26.8

require github.com/compose-spec/compose-go/v2 v2.16.2 // indirect
