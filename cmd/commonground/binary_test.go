package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
)

// binary is the real commonground binary, built once for every test that
// runs it as separate processes (TestKillDuringCommit,
// TestShardedRunsIdentical): each build links the whole program with cgo.
var binary struct {
	once      sync.Once
	dir, path string
	err       error
}

// realBinary builds the binary on its first call and returns its path.
func realBinary(t *testing.T) string {
	t.Helper()
	binary.once.Do(func() {
		if binary.dir, binary.err = os.MkdirTemp("", "commonground-bin-*"); binary.err != nil {
			return
		}
		binary.path = filepath.Join(binary.dir, "commonground")
		if out, err := exec.Command("go", "build", "-o", binary.path, ".").CombinedOutput(); err != nil {
			binary.err = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if binary.err != nil {
		t.Fatal(binary.err)
	}
	return binary.path
}

func TestMain(m *testing.M) {
	code := m.Run()
	if binary.dir != "" {
		os.RemoveAll(binary.dir)
	}
	os.Exit(code)
}
