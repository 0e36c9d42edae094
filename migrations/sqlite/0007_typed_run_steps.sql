-- Run steps are now typed (a step number, named diagram arrows, the channel that carried
-- them). Runs live a day at most; the ones in the old shape are dropped rather than shown
-- half-read.
DELETE FROM sandbox_runs;
