package kit

import (
	"bytes"
	"encoding/json"
	"reflect"
	"testing"
)

// TestPublicKeyOptions: the binary members of each ceremony's options
// (and only those) become bytes; anything that is not the contract's
// shape is refused rather than handed to the browser half-read.
func TestPublicKeyOptions(t *testing.T) {
	t.Run("get", func(t *testing.T) {
		pk, err := publicKeyOptions([]byte(`{"publicKey":{"challenge":"AAEC_-8","timeout":300000,"rpId":"app.example",
			"allowCredentials":[{"type":"public-key","id":"BAU="}],"userVerification":"required"}}`), false)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(pk["challenge"].([]byte), []byte{0, 1, 2, 0xff, 0xef}) {
			t.Errorf("challenge = %v", pk["challenge"])
		}
		cred := pk["allowCredentials"].([]any)[0].(map[string]any)
		if !bytes.Equal(cred["id"].([]byte), []byte{4, 5}) || cred["type"] != "public-key" {
			t.Errorf("allowCredentials = %v (padded base64url is read too)", cred)
		}
		if pk["rpId"] != "app.example" || pk["userVerification"] != "required" || pk["timeout"] != 300000.0 {
			t.Errorf("other members changed: %v", pk)
		}
	})
	t.Run("create", func(t *testing.T) {
		pk, err := publicKeyOptions([]byte(`{"publicKey":{"challenge":"AQ","rp":{"id":"app.example","name":"AuthBridge"},
			"user":{"id":"dXNlcg","name":"ada@example.com","displayName":"Ada"},"pubKeyCredParams":[{"type":"public-key","alg":-7}],
			"excludeCredentials":[{"type":"public-key","id":"Ag"}],"authenticatorSelection":{"residentKey":"required"}}}`), true)
		if err != nil {
			t.Fatal(err)
		}
		user := pk["user"].(map[string]any)
		if string(user["id"].([]byte)) != "user" || user["name"] != "ada@example.com" {
			t.Errorf("user = %v", user)
		}
		if ex := pk["excludeCredentials"].([]any)[0].(map[string]any); !bytes.Equal(ex["id"].([]byte), []byte{2}) {
			t.Errorf("excludeCredentials = %v", ex)
		}
		if !bytes.Equal(pk["challenge"].([]byte), []byte{1}) {
			t.Errorf("challenge = %v", pk["challenge"])
		}
	})
	for _, tt := range []struct {
		name, in string
		create   bool
	}{
		{"not JSON", `<html>`, false},
		{"no publicKey", `{"challenge":"AQ"}`, false},
		{"no challenge", `{"publicKey":{}}`, false},
		{"challenge not a string", `{"publicKey":{"challenge":5}}`, false},
		{"challenge not base64url", `{"publicKey":{"challenge":"a+b/"}}`, false},
		{"a credential id not base64url", `{"publicKey":{"challenge":"AQ","allowCredentials":[{"id":"%%"}]}}`, false},
		{"a credential not an object", `{"publicKey":{"challenge":"AQ","allowCredentials":["AQ"]}}`, false},
		{"create without user", `{"publicKey":{"challenge":"AQ"}}`, true},
		{"create with a user id not base64url", `{"publicKey":{"challenge":"AQ","user":{"id":"!"}}}`, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if pk, err := publicKeyOptions([]byte(tt.in), tt.create); err == nil {
				t.Fatalf("accepted: %v", pk)
			}
		})
	}
}

// TestCredentialJSON: the browser's credential goes back in the WebAuthn
// JSON encoding, unpadded base64url, each ceremony with its own members.
func TestCredentialJSON(t *testing.T) {
	tests := []struct {
		name   string
		c      Credential
		create bool
		want   string
	}{
		{"assertion", Credential{ID: "AQI", RawID: []byte{1, 2}, Type: "public-key", Attachment: "platform",
			ClientDataJSON: []byte(`{"x":1}`), AuthenticatorData: []byte{0xfb, 0xff}, Signature: []byte{9}, UserHandle: []byte("u1")}, false,
			`{"authenticatorAttachment":"platform","clientExtensionResults":{},"id":"AQI","rawId":"AQI","response":{"authenticatorData":"-_8","clientDataJSON":"eyJ4IjoxfQ","signature":"CQ","userHandle":"dTE"},"type":"public-key"}`},
		{"assertion without a user handle or attachment", Credential{ID: "AQ", RawID: []byte{1}, Type: "public-key",
			ClientDataJSON: []byte("c"), AuthenticatorData: []byte("a"), Signature: []byte("s")}, false,
			`{"clientExtensionResults":{},"id":"AQ","rawId":"AQ","response":{"authenticatorData":"YQ","clientDataJSON":"Yw","signature":"cw"},"type":"public-key"}`},
		{"attestation", Credential{ID: "AQ", RawID: []byte{1}, Type: "public-key", ClientDataJSON: []byte("c"),
			AttestationObject: []byte("o"), Transports: []string{"internal", "hybrid"}, Signature: []byte("ignored")}, true,
			`{"clientExtensionResults":{},"id":"AQ","rawId":"AQ","response":{"attestationObject":"bw","clientDataJSON":"Yw","transports":["internal","hybrid"]},"type":"public-key"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := credentialJSON(tt.c, tt.create)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tt.want {
				t.Fatalf("got  %s\nwant %s", got, tt.want)
			}
			var back map[string]any
			if err := json.Unmarshal(got, &back); err != nil {
				t.Fatal(err)
			}
			if raw, _ := unb64(back["rawId"].(string)); !reflect.DeepEqual(raw, tt.c.RawID) {
				t.Fatalf("rawId does not decode back: %v", raw)
			}
		})
	}
}

// TestDOMError: a cancelled or timed-out dialog is no failure to report.
func TestDOMError(t *testing.T) {
	for name, want := range map[string]string{
		"NotAllowedError":   string(CodePasskeyCancelled),
		"AbortError":        string(CodePasskeyCancelled),
		"InvalidStateError": string(CodePasskeyExists),
		"SecurityError":     string(CodePasskeyUnsupported),
		"NotSupportedError": string(CodePasskeyUnsupported),
		"TypeError":         string(CodePasskeyUnsupported),
	} {
		if got := domError(name, "m"); string(got.Code) != want {
			t.Errorf("%s: %s, want %s", name, got.Code, want)
		}
	}
}
