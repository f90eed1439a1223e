package shared

import (
	"encoding/json"
	"reflect"
	"testing"
)

func TestAudienceJSON(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    Audience
		out     string
		wantErr bool
	}{
		{name: "string", in: `"api"`, want: Audience{"api"}, out: `"api"`},
		{name: "array", in: `["a","b"]`, want: Audience{"a", "b"}, out: `["a","b"]`},
		{name: "number", in: `3`, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var a Audience
			err := json.Unmarshal([]byte(tt.in), &a)
			if (err != nil) != tt.wantErr {
				t.Fatalf("Unmarshal(%s) error = %v, wantErr %v", tt.in, err, tt.wantErr)
			}
			if tt.wantErr {
				return
			}
			if !reflect.DeepEqual(a, tt.want) {
				t.Fatalf("got %v, want %v", a, tt.want)
			}
			b, err := json.Marshal(a)
			if err != nil || string(b) != tt.out {
				t.Fatalf("Marshal = %s, %v; want %s", b, err, tt.out)
			}
		})
	}
}

func TestErrorEnvelopeShape(t *testing.T) {
	b, err := json.Marshal(ErrorEnvelope{Error: ErrorBody{Code: CodeTokenReused, Message: "m"}})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := string(b), `{"error":{"code":"token_reused","message":"m"}}`; got != want {
		t.Fatalf("got %s, want %s", got, want)
	}
}

func TestAllErrorCodesUnique(t *testing.T) {
	seen := map[ErrorCode]bool{}
	for _, c := range AllErrorCodes {
		if seen[c] {
			t.Fatalf("duplicate code %q", c)
		}
		seen[c] = true
	}
	if len(seen) < 19 {
		t.Fatalf("only %d codes; the contract names at least 19", len(seen))
	}
}
