import { Segmented } from 'antd';
import { useLocalLocale } from '../../i18n/local';
import { common } from '../../i18n/common';
import { useT, type Locale } from '../../i18n';

/** The language switch before sign-in: remembered in this browser until the staff member's own choice loads. */
export function LocalLanguageSwitch() {
  const [locale, setLocale] = useLocalLocale();
  const t = useT(common);
  return (
    <Segmented<Locale>
      aria-label={t('language')}
      size="small"
      value={locale}
      options={[
        { label: '中文', value: 'zh-CN' },
        { label: 'EN', value: 'en' },
      ]}
      onChange={setLocale}
    />
  );
}
