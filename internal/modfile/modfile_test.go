package modfile

import (
	"errors"
	"os"
	"testing"
)

func TestSplit(t *testing.T) {
	tests := []struct {
		name, ref, mod, rel string
		wantErr             bool
	}{
		{"full", "gomod:github.com/paulmach/osm@v0.8.0/testdata/delaware-latest.osm.pbf", "github.com/paulmach/osm@v0.8.0", "testdata/delaware-latest.osm.pbf", false},
		{"no version", "gomod:github.com/paulmach/osm/testdata/x.pbf", "", "", true},
		{"latest", "gomod:github.com/paulmach/osm@latest/testdata/x.pbf", "", "", true},
		{"no file", "gomod:github.com/paulmach/osm@v0.8.0", "", "", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			mod, rel, err := Split(tc.ref)
			if (err != nil) != tc.wantErr {
				t.Fatalf("err = %v, wantErr %v", err, tc.wantErr)
			}
			if mod != tc.mod || rel != tc.rel {
				t.Errorf("got %q %q, want %q %q", mod, rel, tc.mod, tc.rel)
			}
		})
	}
	if _, _, err := Split("gomod:x/y/z"); !errors.Is(err, ErrNoVersion) {
		t.Errorf("want ErrNoVersion, got %v", err)
	}
}

func TestEscape(t *testing.T) {
	if got := escape("github.com/BurntSushi/toml@v1.0.0"); got != "github.com/!burnt!sushi/toml@v1.0.0" {
		t.Errorf("escape = %q", got)
	}
}

func TestResolveDelaware(t *testing.T) {
	p, err := Resolve("gomod:github.com/paulmach/osm@v0.8.0/testdata/delaware-latest.osm.pbf")
	if err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(p)
	if err != nil {
		t.Fatal(err)
	}
	// The published extract is 7.8 MB.
	if st.Size() < 7_000_000 {
		t.Errorf("%s is %d bytes, want the 7.8 MB extract", p, st.Size())
	}
	if _, err := Resolve("gomod:github.com/paulmach/osm@v0.8.0/testdata/no-such-file.pbf"); err == nil {
		t.Error("want an error for a file the module does not have")
	}
}
