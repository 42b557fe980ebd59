SELECT 1; SELECT 'a;b'; -- c;
SELECT `x;` FROM t /* ; */;
