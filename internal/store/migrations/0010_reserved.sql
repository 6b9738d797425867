-- Reserved for another branch's migration (notifications); this branch's
-- is 0011. Whoever merges that branch drops this file.
SELECT 1;
