package population

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/paulmach/orb"
)

// wktNode is one WKT1 element, NAME[arg, arg, ...]; an arg is a string,
// a float64 or a *wktNode.
type wktNode struct {
	name string
	args []any
}

// child returns the first child element called name (case-insensitive).
func (n *wktNode) child(name string) *wktNode {
	if n == nil {
		return nil
	}
	for _, a := range n.args {
		if c, ok := a.(*wktNode); ok && strings.EqualFold(c.name, name) {
			return c
		}
	}
	return nil
}

func (n *wktNode) str(i int) string {
	if n == nil || i >= len(n.args) {
		return ""
	}
	s, _ := n.args[i].(string)
	return s
}

func (n *wktNode) num(i int) (float64, bool) {
	if n == nil || i >= len(n.args) {
		return 0, false
	}
	v, ok := n.args[i].(float64)
	return v, ok
}

// parseWKT parses the WKT1 found in .prj files (OGC or ESRI dialect).
func parseWKT(s string) (*wktNode, error) {
	p := wktParser{s: strings.TrimPrefix(s, "\ufeff")}
	n, err := p.node()
	if err != nil {
		return nil, err
	}
	p.space()
	if p.i != len(p.s) {
		return nil, fmt.Errorf("unexpected text after position %d", p.i)
	}
	return n, nil
}

type wktParser struct {
	s string
	i int
}

func (p *wktParser) space() {
	for p.i < len(p.s) && strings.IndexByte(" \t\r\n", p.s[p.i]) >= 0 {
		p.i++
	}
}

func (p *wktParser) node() (*wktNode, error) {
	p.space()
	start := p.i
	for p.i < len(p.s) && (p.s[p.i] == '_' || isAlnum(p.s[p.i])) {
		p.i++
	}
	if p.i == start {
		return nil, fmt.Errorf("expected a WKT keyword at position %d", p.i)
	}
	n := &wktNode{name: p.s[start:p.i]}
	p.space()
	if p.i >= len(p.s) || (p.s[p.i] != '[' && p.s[p.i] != '(') {
		return n, nil // bare keyword such as an axis direction
	}
	p.i++
	for depth := 0; ; depth++ {
		if depth > 1000 {
			return nil, fmt.Errorf("too many WKT elements")
		}
		p.space()
		if p.i >= len(p.s) {
			return nil, fmt.Errorf("unexpected end of WKT inside %s", n.name)
		}
		switch c := p.s[p.i]; {
		case c == '"':
			j := p.i + 1
			var b strings.Builder
			for {
				if j >= len(p.s) {
					return nil, fmt.Errorf("unterminated string in %s", n.name)
				}
				if p.s[j] == '"' {
					if j+1 < len(p.s) && p.s[j+1] == '"' {
						b.WriteByte('"')
						j += 2
						continue
					}
					break
				}
				b.WriteByte(p.s[j])
				j++
			}
			n.args = append(n.args, b.String())
			p.i = j + 1
		case c == '-' || c == '+' || c == '.' || (c >= '0' && c <= '9'):
			j := p.i
			for j < len(p.s) && strings.IndexByte("+-.eE0123456789", p.s[j]) >= 0 {
				j++
			}
			v, err := strconv.ParseFloat(p.s[p.i:j], 64)
			if err != nil {
				return nil, fmt.Errorf("bad number %q in %s", p.s[p.i:j], n.name)
			}
			n.args = append(n.args, v)
			p.i = j
		default:
			c, err := p.node()
			if err != nil {
				return nil, err
			}
			n.args = append(n.args, c)
		}
		p.space()
		if p.i >= len(p.s) {
			return nil, fmt.Errorf("unexpected end of WKT inside %s", n.name)
		}
		switch p.s[p.i] {
		case ',':
			p.i++
		case ']', ')':
			p.i++
			return n, nil
		default:
			return nil, fmt.Errorf("unexpected %q at position %d", p.s[p.i], p.i)
		}
	}
}

func isAlnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// squash upper-cases s and drops everything but letters and digits, so
// "WGS_1984", "WGS 84" and "wgs84" compare alike.
func squash(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= 'a' && c <= 'z':
			b.WriteByte(c - 'a' + 'A')
		case isAlnum(c):
			b.WriteByte(c)
		}
	}
	return b.String()
}

// toLonLat converts a shapefile's coordinates to lon/lat. warn is a note for
// the user when the conversion is approximate (NAD27 without datum shift).
type toLonLat struct {
	fn   func(orb.Point) orb.Point // nil: coordinates already lon/lat
	warn string
}

// crsFromPRJ understands the coordinate systems census layers come in:
// geographic WGS84/NAD83 and transverse Mercator (UTM and the like) on any
// ellipsoid named in the file.
func crsFromPRJ(text string) (toLonLat, error) {
	reproject := "reproject the layer to EPSG:4326 (e.g. ogr2ogr -t_srs EPSG:4326 out.shp in.shp)"
	root, err := parseWKT(text)
	if err != nil {
		return toLonLat{}, fmt.Errorf("cannot read the coordinate system: %v; %s", err, reproject)
	}
	switch strings.ToUpper(root.name) {
	case "GEOGCS":
		warn, err := datumCheck(root)
		if err != nil {
			return toLonLat{}, fmt.Errorf("%v; %s", err, reproject)
		}
		if u := root.child("UNIT"); u != nil {
			if f, ok := u.num(1); ok && math.Abs(f-math.Pi/180) > 1e-9 {
				return toLonLat{}, fmt.Errorf("angles in %q, not degrees; %s", u.str(0), reproject)
			}
		}
		return toLonLat{warn: warn}, nil
	case "PROJCS":
		proj := squash(root.child("PROJECTION").str(0))
		if proj != "TRANSVERSEMERCATOR" {
			return toLonLat{}, fmt.Errorf("projection %q (%s) is not supported, only UTM / transverse Mercator; %s", root.child("PROJECTION").str(0), root.str(0), reproject)
		}
		geog := root.child("GEOGCS")
		if geog == nil {
			return toLonLat{}, fmt.Errorf("projection %s has no GEOGCS; %s", root.str(0), reproject)
		}
		warn, err := datumCheck(geog)
		if err != nil {
			return toLonLat{}, fmt.Errorf("%v; %s", err, reproject)
		}
		sph := geog.child("DATUM").child("SPHEROID")
		a, okA := sph.num(1)
		invf, okF := sph.num(2)
		if !okA || !okF || a <= 0 || invf < 0 {
			return toLonLat{}, fmt.Errorf("projection %s: no usable SPHEROID; %s", root.str(0), reproject)
		}
		angle := math.Pi / 180
		if u := geog.child("UNIT"); u != nil {
			if f, ok := u.num(1); ok && f > 0 {
				angle = f
			}
		}
		metre := 1.0
		if u := root.child("UNIT"); u != nil {
			if f, ok := u.num(1); ok && f > 0 {
				metre = f
			}
		}
		params := map[string]float64{}
		for _, c := range root.args {
			if n, ok := c.(*wktNode); ok && strings.EqualFold(n.name, "PARAMETER") {
				if v, ok := n.num(1); ok {
					params[squash(n.str(0))] = v
				}
			}
		}
		k0, ok := params["SCALEFACTOR"]
		if !ok || k0 <= 0 {
			return toLonLat{}, fmt.Errorf("projection %s: no scale_factor; %s", root.str(0), reproject)
		}
		lon0, ok := params["CENTRALMERIDIAN"]
		if !ok {
			lon0, ok = params["LONGITUDEOFCENTER"]
		}
		if !ok {
			return toLonLat{}, fmt.Errorf("projection %s: no central_meridian; %s", root.str(0), reproject)
		}
		tm := newTransverseMercator(a, invf, params["LATITUDEOFORIGIN"]*angle, lon0*angle, k0,
			params["FALSEEASTING"]*metre, params["FALSENORTHING"]*metre)
		return toLonLat{warn: warn, fn: func(p orb.Point) orb.Point {
			return tm.inverse(p[0]*metre, p[1]*metre)
		}}, nil
	default:
		return toLonLat{}, fmt.Errorf("coordinate system %s[%q] is not supported; %s", root.name, root.str(0), reproject)
	}
}

// datumCheck accepts the datums that agree with WGS84 to about a metre
// (WGS84, NAD83, and others on the GRS80 ellipsoid) and NAD27 with a warning,
// since no datum shift is applied (up to ~100 m in the US, under a cell).
func datumCheck(geog *wktNode) (warn string, err error) {
	datum := geog.child("DATUM")
	sph := datum.child("SPHEROID")
	a, _ := sph.num(1)
	invf, _ := sph.num(2)
	name := squash(datum.str(0))
	switch {
	case math.Abs(a-6378137) < 0.5 && math.Abs(invf-298.2572) < 0.001:
		return "", nil
	case strings.Contains(name, "1927") || strings.Contains(name, "NAD27"):
		return "NAD27 datum read without datum shift: positions may be off by up to about 100 m", nil
	}
	return "", fmt.Errorf("datum %q is not supported (need WGS84, NAD83 or NAD27)", datum.str(0))
}

// transverseMercator holds an ellipsoidal transverse Mercator projection,
// inverted with the series of Snyder (1987), "Map Projections: A Working
// Manual", USGS Professional Paper 1395, pp. 60-64, eqs. 3-21, 7-19, 3-24,
// 3-26, 8-12, 8-13 and 8-17 to 8-25. Within a UTM zone it is accurate to
// well under a metre.
type transverseMercator struct {
	a, e2, ep2, k0, lon0, fe, fn, m0 float64
}

func newTransverseMercator(a, invf, lat0, lon0, k0, fe, fn float64) transverseMercator {
	var e2 float64
	if invf != 0 {
		f := 1 / invf
		e2 = f * (2 - f)
	}
	t := transverseMercator{a: a, e2: e2, ep2: e2 / (1 - e2), k0: k0, lon0: lon0, fe: fe, fn: fn}
	t.m0 = t.meridian(lat0)
	return t
}

// meridian is the distance along the meridian from the equator to lat
// (Snyder eq. 3-21).
func (t transverseMercator) meridian(lat float64) float64 {
	e2 := t.e2
	e4, e6 := e2*e2, e2*e2*e2
	return t.a * ((1-e2/4-3*e4/64-5*e6/256)*lat -
		(3*e2/8+3*e4/32+45*e6/1024)*math.Sin(2*lat) +
		(15*e4/256+45*e6/1024)*math.Sin(4*lat) -
		(35*e6/3072)*math.Sin(6*lat))
}

// inverse maps easting, northing (metres) to lon/lat degrees.
func (t transverseMercator) inverse(x, y float64) orb.Point {
	e2 := t.e2
	m := t.m0 + (y-t.fn)/t.k0                                  // 8-20
	mu := m / (t.a * (1 - e2/4 - 3*e2*e2/64 - 5*e2*e2*e2/256)) // 7-19
	se := math.Sqrt(1 - e2)
	e1 := (1 - se) / (1 + se)                             // 3-24
	phi1 := mu + (3*e1/2-27*e1*e1*e1/32)*math.Sin(2*mu) + // 3-26
		(21*e1*e1/16-55*e1*e1*e1*e1/32)*math.Sin(4*mu) +
		(151*e1*e1*e1/96)*math.Sin(6*mu) +
		(1097*e1*e1*e1*e1/512)*math.Sin(8*mu)
	sin1, cos1, tan1 := math.Sin(phi1), math.Cos(phi1), math.Tan(phi1)
	c1 := t.ep2 * cos1 * cos1 // 8-21
	t1 := tan1 * tan1         // 8-22
	w := 1 - e2*sin1*sin1
	n1 := t.a / math.Sqrt(w)                  // 8-23
	r1 := t.a * (1 - e2) / (w * math.Sqrt(w)) // 8-24
	d := (x - t.fe) / (n1 * t.k0)             // 8-25
	d2 := d * d
	lat := phi1 - (n1*tan1/r1)*(d2/2- // 8-17
		(5+3*t1+10*c1-4*c1*c1-9*t.ep2)*d2*d2/24+
		(61+90*t1+298*c1+45*t1*t1-252*t.ep2-3*c1*c1)*d2*d2*d2/720)
	lon := t.lon0 + (d-(1+2*t1+c1)*d2*d/6+ // 8-18
		(5-2*c1+28*t1-3*c1*c1+8*t.ep2+24*t1*t1)*d2*d2*d/120)/cos1
	return orb.Point{lon * 180 / math.Pi, lat * 180 / math.Pi}
}
