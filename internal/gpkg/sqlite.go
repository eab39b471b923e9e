package gpkg

/*
#cgo LDFLAGS: -lsqlite3
#include <stdlib.h>
#include <string.h>
#include <sqlite3.h>

// SQLITE_STATIC is a cast macro, which cgo cannot use: these bind text and
// blobs that SQLite reads in place until the statement is reset.
static int cg_bind_text(sqlite3_stmt *s, int i, const char *p, int n) {
	return sqlite3_bind_text(s, i, p, n, SQLITE_STATIC);
}
static int cg_bind_blob(sqlite3_stmt *s, int i, const void *p, int n) {
	return sqlite3_bind_blob(s, i, p, n, SQLITE_STATIC);
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

// stmt is a prepared statement reused for every row: bind each parameter,
// step, and the statement resets itself for the next row. Text and blob
// values are staged in one C buffer that grows as needed and is reused for
// every row (SQLite keeps pointers into it until the reset, which Go memory
// may not be lent for), so a row costs no allocation once the buffer is
// large enough.
type stmt struct {
	c     *conn
	p     *C.sqlite3_stmt
	bad   error // the first bind error, returned by step
	buf   unsafe.Pointer
	cap   int
	used  int
	texts []staged // values bound from buf, bound again if it moves
}

// staged is a text or blob value bound from buf.
type staged struct {
	i      int
	off, n int
	blob   bool
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
	return &stmt{c: c, p: p}, nil
}

func (s *stmt) check(rc C.int) {
	if rc != C.SQLITE_OK && s.bad == nil {
		s.bad = s.c.err(rc)
	}
}

// bindInt binds parameter i (from 1) to an integer.
func (s *stmt) bindInt(i int, v int64) {
	s.check(C.sqlite3_bind_int64(s.p, C.int(i), C.sqlite3_int64(v)))
}

// bindFloat binds parameter i to a real number.
func (s *stmt) bindFloat(i int, v float64) {
	s.check(C.sqlite3_bind_double(s.p, C.int(i), C.double(v)))
}

// bindNull binds parameter i to NULL.
func (s *stmt) bindNull(i int) {
	s.check(C.sqlite3_bind_null(s.p, C.int(i)))
}

// text binds parameter i to a UTF-8 string.
func (s *stmt) text(i int, v string) { s.stage(i, unsafe.Slice(unsafe.StringData(v), len(v)), false) }

// blob binds parameter i to bytes.
func (s *stmt) blob(i int, v []byte) { s.stage(i, v, true) }

// stage copies v into the row buffer and binds it in place. If the buffer
// must grow, it moves, so the values already bound from it are bound again.
func (s *stmt) stage(i int, v []byte, blob bool) {
	if len(v) > math.MaxInt32 {
		s.check(C.SQLITE_TOOBIG)
		return
	}
	if s.used+len(v) > s.cap {
		n := 2*s.cap + len(v) + 256
		p := C.realloc(s.buf, C.size_t(n))
		if p == nil {
			s.check(C.SQLITE_NOMEM)
			return
		}
		s.buf, s.cap = p, n
		for _, t := range s.texts {
			s.bindStaged(t)
		}
	}
	if len(v) > 0 {
		copy(unsafe.Slice((*byte)(unsafe.Add(s.buf, s.used)), len(v)), v)
	}
	t := staged{i: i, off: s.used, n: len(v), blob: blob}
	s.used += len(v)
	s.texts = append(s.texts, t)
	s.bindStaged(t)
}

func (s *stmt) bindStaged(t staged) {
	p := unsafe.Add(s.buf, t.off)
	if t.blob {
		s.check(C.cg_bind_blob(s.p, C.int(t.i), p, C.int(t.n)))
	} else {
		s.check(C.cg_bind_text(s.p, C.int(t.i), (*C.char)(p), C.int(t.n)))
	}
}

// step runs the statement with the values bound and resets it for the next
// row; bindings not set again keep their values.
func (s *stmt) step() error {
	defer func() { s.used, s.texts = 0, s.texts[:0] }()
	if err := s.bad; err != nil {
		s.bad = nil
		C.sqlite3_reset(s.p)
		return err
	}
	rc := C.sqlite3_step(s.p)
	if rc != C.SQLITE_DONE && rc != C.SQLITE_ROW {
		err := s.c.err(rc)
		C.sqlite3_reset(s.p)
		return err
	}
	if rc := C.sqlite3_reset(s.p); rc != C.SQLITE_OK {
		return s.c.err(rc)
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

// clear drops the row being bound without inserting it.
func (s *stmt) clear() {
	s.used, s.texts, s.bad = 0, s.texts[:0], nil
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
