// Package e2e will hold the black-box tests that drive AuthBridge in headless
// Chromium through nginx. It is built in a later step of the roadmap.
package e2e
