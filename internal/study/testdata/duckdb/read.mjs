// Reads a GeoParquet file with DuckDB, as a researcher would, and prints
// what DuckDB makes of it as one JSON object: the columns with the types
// DuckDB gives them, the file's key-value metadata, and every row with the
// geometry as DuckDB's WKT. Usage: node read.mjs FILE.parquet
import { DuckDBInstance } from '@duckdb/node-api';

const file = process.argv[2];
if (!file) {
  console.error('usage: node read.mjs FILE.parquet');
  process.exit(2);
}
const lit = "'" + file.replaceAll("'", "''") + "'";
const db = await DuckDBInstance.create(':memory:');
const con = await db.connect();
const all = async (sql) => (await con.runAndReadAll(sql)).getRowObjectsJson();
const columns = await all(
  `SELECT column_name AS name, column_type AS type FROM (DESCRIBE SELECT * FROM read_parquet(${lit}))`);
const meta = {};
for (const kv of await all(`SELECT decode(key) AS k, decode(value) AS v FROM parquet_kv_metadata(${lit})`)) {
  meta[kv.k] = kv.v;
}
const rows = (await con.runAndReadAll(
  `SELECT * REPLACE (geometry::VARCHAR AS geometry) FROM read_parquet(${lit})`)).getRowsJson();
process.stdout.write(JSON.stringify({ columns, meta, rows }));
