package ui

import "github.com/maxence-charriere/go-app/v10/pkg/app"

// navigatorLanguages is the browser's language list.
func navigatorLanguages() []string {
	if !app.IsClient {
		return nil
	}
	nav := app.Window().Get("navigator")
	var out []string
	if ls := nav.Get("languages"); ls.Truthy() {
		for i := 0; i < ls.Length(); i++ {
			out = append(out, ls.Index(i).String())
		}
	}
	if l := nav.Get("language"); l.Truthy() {
		out = append(out, l.String())
	}
	return out
}

// windowOrigin is the page's origin ("" on the host).
func windowOrigin() string {
	if !app.IsClient {
		return ""
	}
	return app.Window().Get("location").Get("origin").String()
}
