package gpkg

import (
	"errors"
	"fmt"
	"math"
	"unsafe"

	"modernc.org/libc"
	"modernc.org/libc/sys/types"
	sqlite3 "modernc.org/sqlite/lib"

	_ "modernc.org/sqlite" // applies the library patches the driver's init makes
)

// conn is one SQLite connection used through the C API of modernc.org/sqlite
// (SQLite transpiled to Go) rather than database/sql: that driver prepares a
// statement anew on every Exec, so a prepared INSERT could not be reused,
// while sqlite3_prepare_v2 once and then bind, step and reset for each row
// is how the SQLite documentation says to insert many rows
// (https://www.sqlite.org/cintro.html, "Binding Parameters and Reusing
// Prepared Statements"). A conn is not safe for concurrent use.
type conn struct {
	tls *libc.TLS
	db  uintptr
}

// sqliteStatic is SQLITE_STATIC: SQLite reads bound text and blobs in place,
// so they must stay unchanged until the statement is stepped and reset.
const sqliteStatic = 0

// openConn opens (creating if need be) the database file at path.
func openConn(path string) (*conn, error) {
	c := &conn{tls: libc.NewTLS()}
	name, err := libc.CString(path)
	if err != nil {
		c.tls.Close()
		return nil, err
	}
	out, err := c.malloc(8)
	if err != nil {
		c.free(name)
		c.tls.Close()
		return nil, err
	}
	rc := sqlite3.Xsqlite3_open_v2(c.tls, name, out, sqlite3.SQLITE_OPEN_READWRITE|sqlite3.SQLITE_OPEN_CREATE, 0)
	c.db = *(*uintptr)(unsafe.Add(nil, out))
	c.free(name)
	c.free(out)
	if rc != sqlite3.SQLITE_OK {
		err := c.err(rc)
		c.close()
		return nil, err
	}
	return c, nil
}

func (c *conn) malloc(n int) (uintptr, error) {
	p := libc.Xmalloc(c.tls, types.Size_t(n))
	if p == 0 {
		return 0, fmt.Errorf("sqlite: cannot allocate %d bytes", n)
	}
	return p, nil
}

func (c *conn) free(p uintptr) {
	if p != 0 {
		libc.Xfree(c.tls, p)
	}
}

// err describes result code rc with the connection's last message.
func (c *conn) err(rc int32) error {
	msg := libc.GoString(sqlite3.Xsqlite3_errstr(c.tls, rc))
	if c.db != 0 {
		if m := libc.GoString(sqlite3.Xsqlite3_errmsg(c.tls, c.db)); m != "" && m != msg {
			msg += ": " + m
		}
	}
	return fmt.Errorf("sqlite: %s (%d)", msg, rc)
}

// exec runs one or more statements that take no parameters.
func (c *conn) exec(sql string) error {
	q, err := libc.CString(sql)
	if err != nil {
		return err
	}
	defer c.free(q)
	if rc := sqlite3.Xsqlite3_exec(c.tls, c.db, q, 0, 0, 0); rc != sqlite3.SQLITE_OK {
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

// close closes the connection and frees its thread state.
func (c *conn) close() error {
	var err error
	if c.db != 0 {
		if rc := sqlite3.Xsqlite3_close_v2(c.tls, c.db); rc != sqlite3.SQLITE_OK {
			err = c.err(rc)
		}
		c.db = 0
	}
	if c.tls != nil {
		c.tls.Close()
		c.tls = nil
	}
	return err
}

// stmt is a prepared statement reused for every row: bind each parameter,
// step, and the statement resets itself for the next row. Text and blob
// values are staged in one C buffer that grows as needed and is reused for
// every row, so a row costs no allocation once the buffer is large enough.
type stmt struct {
	c     *conn
	p     uintptr
	bad   error   // the first bind error, returned by step
	buf   uintptr // C memory holding this row's text and blob values
	cap   int
	used  int
	texts []staged // values bound after buf filled up, bound again after growing
}

// staged is a text or blob value bound from buf.
type staged struct {
	i      int
	off, n int
	blob   bool
}

// prepare compiles one statement.
func (c *conn) prepare(sql string) (*stmt, error) {
	q, err := libc.CString(sql)
	if err != nil {
		return nil, err
	}
	defer c.free(q)
	out, err := c.malloc(8)
	if err != nil {
		return nil, err
	}
	defer c.free(out)
	if rc := sqlite3.Xsqlite3_prepare_v2(c.tls, c.db, q, -1, out, 0); rc != sqlite3.SQLITE_OK {
		return nil, c.err(rc)
	}
	p := *(*uintptr)(unsafe.Add(nil, out))
	if p == 0 {
		return nil, errors.New("sqlite: empty statement")
	}
	return &stmt{c: c, p: p}, nil
}

func (s *stmt) check(rc int32) {
	if rc != sqlite3.SQLITE_OK && s.bad == nil {
		s.bad = s.c.err(rc)
	}
}

// bindInt binds parameter i (from 1) to an integer.
func (s *stmt) bindInt(i int, v int64) {
	s.check(sqlite3.Xsqlite3_bind_int64(s.c.tls, s.p, int32(i), v))
}

// bindFloat binds parameter i to a real number.
func (s *stmt) bindFloat(i int, v float64) {
	s.check(sqlite3.Xsqlite3_bind_double(s.c.tls, s.p, int32(i), v))
}

// bindNull binds parameter i to NULL.
func (s *stmt) bindNull(i int) {
	s.check(sqlite3.Xsqlite3_bind_null(s.c.tls, s.p, int32(i)))
}

// text binds parameter i to a UTF-8 string.
func (s *stmt) text(i int, v string) { s.stage(i, unsafe.Slice(unsafe.StringData(v), len(v)), false) }

// blob binds parameter i to bytes.
func (s *stmt) blob(i int, v []byte) { s.stage(i, v, true) }

// stage copies v into the row buffer and binds it in place. If the buffer
// must grow, it moves, so the values already bound from it are bound again.
func (s *stmt) stage(i int, v []byte, blob bool) {
	if len(v) > math.MaxInt32 {
		s.check(sqlite3.SQLITE_TOOBIG)
		return
	}
	if s.used+len(v) > s.cap {
		n := 2*s.cap + len(v) + 256
		p := libc.Xrealloc(s.c.tls, s.buf, types.Size_t(n))
		if p == 0 {
			s.check(sqlite3.SQLITE_NOMEM)
			return
		}
		s.buf, s.cap = p, n
		for _, t := range s.texts {
			s.bindStaged(t)
		}
	}
	if len(v) > 0 {
		copy(unsafe.Slice((*byte)(unsafe.Add(nil, s.buf+uintptr(s.used))), len(v)), v)
	}
	t := staged{i: i, off: s.used, n: len(v), blob: blob}
	s.used += len(v)
	s.texts = append(s.texts, t)
	s.bindStaged(t)
}

func (s *stmt) bindStaged(t staged) {
	p := s.buf + uintptr(t.off)
	if t.blob {
		s.check(sqlite3.Xsqlite3_bind_blob(s.c.tls, s.p, int32(t.i), p, int32(t.n), sqliteStatic))
	} else {
		s.check(sqlite3.Xsqlite3_bind_text(s.c.tls, s.p, int32(t.i), p, int32(t.n), sqliteStatic))
	}
}

// step runs the statement with the values bound and resets it for the next
// row; bindings not set again keep their values.
func (s *stmt) step() error {
	defer func() { s.used, s.texts = 0, s.texts[:0] }()
	if err := s.bad; err != nil {
		s.bad = nil
		sqlite3.Xsqlite3_reset(s.c.tls, s.p)
		return err
	}
	rc := sqlite3.Xsqlite3_step(s.c.tls, s.p)
	if rc != sqlite3.SQLITE_DONE && rc != sqlite3.SQLITE_ROW {
		err := s.c.err(rc)
		sqlite3.Xsqlite3_reset(s.c.tls, s.p)
		return err
	}
	if rc := sqlite3.Xsqlite3_reset(s.c.tls, s.p); rc != sqlite3.SQLITE_OK {
		return s.c.err(rc)
	}
	return nil
}

// finalize frees the statement and its buffer.
func (s *stmt) finalize() {
	if s.p != 0 {
		sqlite3.Xsqlite3_finalize(s.c.tls, s.p)
		s.p = 0
	}
	s.c.free(s.buf)
	s.buf, s.cap = 0, 0
}

// clear drops the row being bound without inserting it.
func (s *stmt) clear() {
	s.used, s.texts, s.bad = 0, s.texts[:0], nil
	sqlite3.Xsqlite3_reset(s.c.tls, s.p)
	sqlite3.Xsqlite3_clear_bindings(s.c.tls, s.p)
}

// queryInt runs a query that returns one integer.
func (c *conn) queryInt(sql string) (int64, error) {
	s, err := c.prepare(sql)
	if err != nil {
		return 0, err
	}
	defer s.finalize()
	if rc := sqlite3.Xsqlite3_step(c.tls, s.p); rc != sqlite3.SQLITE_ROW {
		if rc == sqlite3.SQLITE_DONE {
			return 0, fmt.Errorf("sqlite: %s returned no row", sql)
		}
		return 0, c.err(rc)
	}
	return sqlite3.Xsqlite3_column_int64(c.tls, s.p, 0), nil
}
