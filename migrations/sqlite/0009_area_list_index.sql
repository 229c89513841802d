-- The issue list filtered by area (every coordinator's list, and the staff's area filter) is ordered by
-- raise time. Without this index it walked the global list index and filtered every row: at 250,000
-- issues, an area whose issues had none in the requested status took 215 ms (the whole index, to return
-- nothing). Here it reads that area's entries only. None of its columns ever changes after the raise, so
-- commands still update issue rows in place (see 0008).
CREATE INDEX IF NOT EXISTS issues_area_list ON issues (area_id, raised_at DESC, id DESC);
