-- Spreading to neighbouring areas (issue #16 §4): an area reached from another (ขยายผล) records which and
-- when (the last `AreaReached` mark); an area with neither is a target area. Rows come from the `Area`
-- events, so a rebuild fills them.
ALTER TABLE areas ADD COLUMN reached_from TEXT;
ALTER TABLE areas ADD COLUMN reached_on TEXT;
