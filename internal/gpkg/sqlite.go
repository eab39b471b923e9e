package gpkg

/*
#cgo LDFLAGS: -lsqlite3
#include <stdlib.h>
#include <string.h>
#include <sqlite3.h>

// SQLITE_STATIC is a cast macro, which cgo cannot use: text and blobs are
// bound here, in C, and SQLite reads them in place until they are bound
// again.

// cg_param is one parameter of a row; kind 0 leaves its binding as it is.
typedef struct {
	sqlite3_int64 i;
	double f;
	long long off;
	int n;
	int kind; // 1 NULL, 2 integer, 3 real, 4 text in buf, 5 blob in buf
} cg_param;

// cg_bind_step binds a row's np parameters and steps the statement, in one
// call from Go instead of one per value. It resets the statement after a
// row is written; on a failed bind it sets *bad to the parameter (from 1)
// and returns that error, and on a failed step it returns the error, both
// before any reset, so that the caller can read the message.
static int cg_bind_step(sqlite3_stmt *s, const cg_param *ps, int np, const char *buf, int *bad) {
	*bad = 0;
	for (int k = 0; k < np; k++) {
		const cg_param *p = ps + k;
		int rc = SQLITE_OK;
		switch (p->kind) {
		case 1: rc = sqlite3_bind_null(s, k + 1); break;
		case 2: rc = sqlite3_bind_int64(s, k + 1, p->i); break;
		case 3: rc = sqlite3_bind_double(s, k + 1, p->f); break;
		case 4: rc = sqlite3_bind_text(s, k + 1, buf + p->off, p->n, SQLITE_STATIC); break;
		case 5: rc = sqlite3_bind_blob(s, k + 1, buf + p->off, p->n, SQLITE_STATIC); break;
		}
		if (rc != SQLITE_OK) {
			*bad = k + 1;
			return rc;
		}
	}
	int rc = sqlite3_step(s);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
		return rc;
	}
	return sqlite3_reset(s);
}
*/
import "C"

import (
	"errors"
	"fmt"
	"math"
	"unsafe"
)

// conn is one SQLite connection used through SQLite's C API (the system's
// libsqlite3, through cgo) rather than database/sql: prepare an INSERT
// once, then bind, step and reset it for each row, as the SQLite
// documentation says to insert many rows (https://www.sqlite.org/cintro.html,
// "Binding Parameters and Reusing Prepared Statements"). The C library
// writes a county's GeoPackage several times faster than SQLite transpiled
// to Go (modernc.org/sqlite), which this replaced. A conn is not safe for
// concurrent use.
type conn struct {
	db *C.sqlite3
}

// openConn opens (creating if need be) the database file at path.
func openConn(path string) (*conn, error) {
	name := C.CString(path)
	defer C.free(unsafe.Pointer(name))
	c := &conn{}
	rc := C.sqlite3_open_v2(name, &c.db, C.SQLITE_OPEN_READWRITE|C.SQLITE_OPEN_CREATE, nil)
	if rc != C.SQLITE_OK {
		err := c.err(rc)
		c.close()
		return nil, err
	}
	return c, nil
}

// err describes result code rc with the connection's last message.
func (c *conn) err(rc C.int) error {
	msg := C.GoString(C.sqlite3_errstr(rc))
	if c.db != nil {
		if m := C.GoString(C.sqlite3_errmsg(c.db)); m != "" && m != msg {
			msg += ": " + m
		}
	}
	return fmt.Errorf("sqlite: %s (%d)", msg, int(rc))
}

// exec runs one or more statements that take no parameters.
func (c *conn) exec(sql string) error {
	q := C.CString(sql)
	defer C.free(unsafe.Pointer(q))
	if rc := C.sqlite3_exec(c.db, q, nil, nil, nil); rc != C.SQLITE_OK {
		return c.err(rc)
	}
	return nil
}

// run prepares sql, binds args (int64, float64, string or nil) and steps it
// once: for the few statements written once per file or layer.
func (c *conn) run(sql string, args ...any) error {
	s, err := c.prepare(sql)
	if err != nil {
		return err
	}
	defer s.finalize()
	for i, a := range args {
		switch v := a.(type) {
		case nil:
			s.bindNull(i + 1)
		case int64:
			s.bindInt(i+1, v)
		case int:
			s.bindInt(i+1, int64(v))
		case float64:
			s.bindFloat(i+1, v)
		case string:
			s.text(i+1, v)
		default:
			return fmt.Errorf("sqlite: cannot bind %T", a)
		}
	}
	return s.step()
}

// close closes the connection.
func (c *conn) close() error {
	var err error
	if c.db != nil {
		if rc := C.sqlite3_close_v2(c.db); rc != C.SQLITE_OK {
			err = c.err(rc)
		}
		c.db = nil
	}
	return err
}

// stmt is a prepared statement reused for every row: set each parameter,
// then step, which binds them all and steps in one call into C (a call
// from Go to C costs about as much as binding one value, and a cell of a
// county has dozens) and resets the statement for the next row. Text and
// blob values are staged in one C buffer that grows as needed and is
// reused for every row (SQLite keeps pointers into it until the next bind,
// which Go memory may not be lent for), so a row costs no allocation once
// the buffer is large enough. Parameters not set for a row keep their
// binding from the one before; a text or blob so kept would read the new
// row's buffer, so callers set every parameter of every row.
type stmt struct {
	c      *conn
	p      *C.sqlite3_stmt
	bad    error // the first staging error, returned by step
	buf    unsafe.Pointer
	cap    int
	used   int
	params []C.cg_param // parameter i is params[i-1]
	badArg C.int        // set by cg_bind_step: the parameter that failed
}

// prepare compiles one statement.
func (c *conn) prepare(sql string) (*stmt, error) {
	q := C.CString(sql)
	defer C.free(unsafe.Pointer(q))
	var p *C.sqlite3_stmt
	if rc := C.sqlite3_prepare_v2(c.db, q, -1, &p, nil); rc != C.SQLITE_OK {
		return nil, c.err(rc)
	}
	if p == nil {
		return nil, errors.New("sqlite: empty statement")
	}
	return &stmt{c: c, p: p, params: make([]C.cg_param, int(C.sqlite3_bind_parameter_count(p)))}, nil
}

func (s *stmt) check(rc C.int) {
	if rc != C.SQLITE_OK && s.bad == nil {
		s.bad = s.c.err(rc)
	}
}

// param is parameter i (from 1), or nil (and an error for step) when the
// statement has no such parameter.
func (s *stmt) param(i int) *C.cg_param {
	if i < 1 || i > len(s.params) {
		s.check(C.SQLITE_RANGE)
		return nil
	}
	return &s.params[i-1]
}

// bindInt sets parameter i (from 1) to an integer.
func (s *stmt) bindInt(i int, v int64) {
	if p := s.param(i); p != nil {
		p.kind, p.i = 2, C.sqlite3_int64(v)
	}
}

// bindFloat sets parameter i to a real number.
func (s *stmt) bindFloat(i int, v float64) {
	if p := s.param(i); p != nil {
		p.kind, p.f = 3, C.double(v)
	}
}

// bindNull sets parameter i to NULL.
func (s *stmt) bindNull(i int) {
	if p := s.param(i); p != nil {
		p.kind = 1
	}
}

// text sets parameter i to a UTF-8 string.
func (s *stmt) text(i int, v string) { s.stage(i, unsafe.Slice(unsafe.StringData(v), len(v)), 4) }

// blob sets parameter i to bytes.
func (s *stmt) blob(i int, v []byte) { s.stage(i, v, 5) }

// stage copies v into the row buffer, where step binds it from.
func (s *stmt) stage(i int, v []byte, kind C.int) {
	p := s.param(i)
	if p == nil {
		return
	}
	if len(v) > math.MaxInt32 {
		s.check(C.SQLITE_TOOBIG)
		return
	}
	if s.used+len(v) > s.cap {
		n := 2*s.cap + len(v) + 256
		b := C.realloc(s.buf, C.size_t(n))
		if b == nil {
			s.check(C.SQLITE_NOMEM)
			return
		}
		s.buf, s.cap = b, n
	}
	if len(v) > 0 {
		copy(unsafe.Slice((*byte)(unsafe.Add(s.buf, s.used)), len(v)), v)
	}
	p.kind, p.off, p.n = kind, C.longlong(s.used), C.int(len(v))
	s.used += len(v)
}

// step binds the parameters set, runs the statement and resets it for the
// next row.
func (s *stmt) step() error {
	defer func() {
		s.used = 0
		for k := range s.params {
			s.params[k].kind = 0
		}
	}()
	if err := s.bad; err != nil {
		s.bad = nil
		C.sqlite3_reset(s.p)
		return err
	}
	var ps *C.cg_param
	if len(s.params) > 0 {
		ps = &s.params[0]
	}
	rc := C.cg_bind_step(s.p, ps, C.int(len(s.params)), (*C.char)(s.buf), &s.badArg)
	if rc != C.SQLITE_OK {
		err := s.c.err(rc)
		if s.badArg > 0 {
			err = fmt.Errorf("parameter %d: %w", int(s.badArg), err)
		}
		C.sqlite3_reset(s.p)
		return err
	}
	return nil
}

// finalize frees the statement and its buffer.
func (s *stmt) finalize() {
	if s.p != nil {
		C.sqlite3_finalize(s.p)
		s.p = nil
	}
	C.free(s.buf)
	s.buf, s.cap = nil, 0
}

// clear drops the row being set without inserting it.
func (s *stmt) clear() {
	s.used, s.bad = 0, nil
	for k := range s.params {
		s.params[k].kind = 0
	}
	C.sqlite3_reset(s.p)
	C.sqlite3_clear_bindings(s.p)
}

// queryInt runs a query that returns one integer.
func (c *conn) queryInt(sql string) (int64, error) {
	s, err := c.prepare(sql)
	if err != nil {
		return 0, err
	}
	defer s.finalize()
	if rc := C.sqlite3_step(s.p); rc != C.SQLITE_ROW {
		if rc == C.SQLITE_DONE {
			return 0, fmt.Errorf("sqlite: %s returned no row", sql)
		}
		return 0, c.err(rc)
	}
	return int64(C.sqlite3_column_int64(s.p, 0)), nil
}
