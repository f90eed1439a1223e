package shared

import "net/url"

// Fragment encodes m for the redirect fallback's URL fragment (the part
// after "#", which browsers never send to a server): type, ok as "1" or
// "0", the code on success or the error code and message otherwise, flow
// and process when set; never Link, a pending link's secret, which must
// not travel in any URL. The backend writes it and the dashboard's parser
// accepts exactly this shape.
func (m HandoffMessage) Fragment() string {
	v := url.Values{}
	v.Set("type", m.Type)
	if m.OK {
		v.Set("ok", "1")
		if m.Code != "" {
			v.Set("code", m.Code)
		}
	} else {
		v.Set("ok", "0")
		if m.Error != nil {
			v.Set("error", string(m.Error.Code))
			v.Set("message", m.Error.Message)
		}
	}
	if m.Flow != "" {
		v.Set("flow", m.Flow)
	}
	if m.Process != "" {
		v.Set("process", m.Process)
	}
	return v.Encode()
}
