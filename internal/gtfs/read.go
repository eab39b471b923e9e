package gtfs

// Read reads one GTFS feed from a zip file or a folder.
func Read(path string, opt Options) (*Feed, error) { panic("not yet") }

// ReadAll reads several feeds into one, ids namespaced by file name.
func ReadAll(paths []string, opt Options) (*Feed, error) { panic("not yet") }
