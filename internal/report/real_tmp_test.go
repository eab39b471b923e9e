package report

import (
	"os"
	"testing"

	"commonground/internal/report/browsertest"
)

func TestTmpReal(t *testing.T) {
	page := os.Getenv("CG_PAGE")
	if page == "" {
		t.Skip()
	}
	bin := browsertest.Chromium(t)
	for _, s := range sizes {
		v, _ := browsertest.LoadAt(t, bin, page, s.w, s.h)
		t.Logf("%s faults %q layout %q clicks %q", s.name, v.Faults(), v.Layout(), v.Exercised.Clicks.Tried)
		for _, a := range browsertest.Axe(t, bin, page, "/work/report/internal/report/web/node_modules/axe-core/axe.min.js", s.w, s.h) {
			t.Logf("axe %+v", a)
		}
	}
}
