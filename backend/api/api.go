// Package api embeds the OpenAPI description of the HTTP contract, which the
// server publishes at /api/openapi.yaml. docs/openapi.yaml at the repository
// root is a link to the same file.
package api

import _ "embed"

// OpenAPI is the contract in OpenAPI 3.1 YAML.
//
//go:embed openapi.yaml
var OpenAPI []byte
