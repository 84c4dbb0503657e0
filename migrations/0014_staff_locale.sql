-- The language a staff member uses the web console in (it follows them from browser to browser).
-- Simplified Chinese unless they choose English; admin tokens have no staff row and read Chinese.
ALTER TABLE staff ADD COLUMN locale text NOT NULL DEFAULT 'zh-CN' CONSTRAINT staff_locale_check CHECK (locale IN ('zh-CN', 'en'));
