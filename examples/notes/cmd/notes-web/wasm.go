//go:build wasm

package main

// generate is the host build's; the app has nothing to do after
// RunWhenOnBrowser.
func generate() {}
