import { InboxOutlined } from '@ant-design/icons';
import { useMutation } from '@tanstack/react-query';
import { Alert, Button, Card, Flex, Steps, Typography, Upload } from 'antd';
import { useMemo, useState } from 'react';
import { csvMappingSchema, leadImportResultSchema, MAX_IMPORT_ROWS, type CsvMapping } from '@contracts/lead-sources';
import { api } from '../../api/client';
import { ErrorAlert } from '../../components/page-state';
import { useFormat } from '../../format-hooks';
import { useT } from '../../i18n';
import { parseCsv, readCsvFile } from './csv';
import { guessMapping } from './import-guess';
import { ImportMapping, type ColumnMap, type ImportDefaults } from './import-mapping';
import { importMessages } from './import-messages';
import { ImportProgress } from './import-result';
import { PageTitle } from './page-title';

interface Loaded {
  fileName: string;
  text: string;
  encoding: string;
  headers: string[];
  rows: string[][];
}

/**
 * Imports leads from a CSV (a DMS export): the file is read here for the column mapping and a
 * preview; the server then checks every row (all or nothing) and takes the leads in. The import
 * answers when it is done (there is no job to poll), with the counts.
 */
export function ImportPage() {
  const t = useT(importMessages);
  const f = useFormat();
  const [loaded, setLoaded] = useState<Loaded | null>(null);
  const [readError, setReadError] = useState<string | null>(null);
  const [columns, setColumns] = useState<ColumnMap>({});
  const [defaults, setDefaults] = useState<ImportDefaults>({ source: 'dms' });
  const run = useMutation({
    mutationFn: (body: { mapping: CsvMapping; csv: string }) => api.post('/api/v1/leads/import', leadImportResultSchema, { body }),
  });

  const mapping = useMemo(() => {
    const cols: Record<string, string> = {};
    for (const [header, field] of Object.entries(columns)) if (field) cols[header] = field;
    return csvMappingSchema.safeParse({
      columns: cols,
      source: defaults.source,
      dealerCode: defaults.dealerCode,
      channel: defaults.channel?.trim() || undefined,
      campaign: defaults.campaign?.trim() || undefined,
    });
  }, [columns, defaults]);
  const problems = mapping.success ? [] : mapping.error.issues.map((i) => i.message);
  const tooMany = (loaded?.rows.length ?? 0) > MAX_IMPORT_ROWS;

  const load = async (file: File) => {
    setReadError(null);
    run.reset();
    const { text, encoding } = await readCsvFile(file);
    const [headers, ...rows] = parseCsv(text);
    if (!headers || rows.length === 0) {
      setReadError(t('fileEmpty'));
      return;
    }
    setLoaded({ fileName: file.name, text, encoding, headers, rows });
    setColumns(guessMapping(headers));
  };
  const restart = () => {
    setLoaded(null);
    setColumns({});
    run.reset();
  };
  const step = !loaded ? 0 : run.isIdle ? 1 : 2;

  return (
    <Flex vertical gap={16} data-testid="import-page">
      <PageTitle title={t('title')} subtitle={t('subtitle')} />
      <Card>
        <Steps current={step} status={run.isError ? 'error' : undefined} items={[{ title: t('stepFile') }, { title: t('stepMapping') }, { title: t('stepImport') }]} style={{ marginBottom: 24 }} />
        {step === 0 && (
          <Flex vertical gap={12}>
            <Upload.Dragger
              accept=".csv,text/csv"
              multiple={false}
              showUploadList={false}
              beforeUpload={(file) => {
                load(file).catch((e: unknown) => setReadError(e instanceof Error ? e.message : String(e)));
                return false;
              }}
              data-testid="import-file"
            >
              <p className="ant-upload-drag-icon">
                <InboxOutlined />
              </p>
              <p className="ant-upload-text">{t('dropFile')}</p>
              <p className="ant-upload-hint">{t('dropHint', { max: f.number(MAX_IMPORT_ROWS) })}</p>
            </Upload.Dragger>
            {readError && <Alert type="error" showIcon message={readError} />}
          </Flex>
        )}
        {step === 1 && loaded && (
          <Flex vertical gap={16}>
            <Flex justify="space-between" align="center" wrap gap={8}>
              <Typography.Text>{t('fileInfo', { name: loaded.fileName, rows: f.number(loaded.rows.length), columns: loaded.headers.length, encoding: loaded.encoding.toUpperCase() })}</Typography.Text>
              <Flex gap={8}>
                <Button onClick={restart}>{t('otherFile')}</Button>
                <Button
                  type="primary"
                  disabled={!mapping.success || tooMany}
                  data-testid="import-submit"
                  onClick={() => mapping.success && run.mutate({ mapping: mapping.data, csv: loaded.text })}
                >
                  {t('startImport', { n: f.number(loaded.rows.length) })}
                </Button>
              </Flex>
            </Flex>
            {tooMany && <Alert type="error" showIcon message={t('tooMany', { max: f.number(MAX_IMPORT_ROWS) })} />}
            <ImportMapping headers={loaded.headers} rows={loaded.rows} columns={columns} onColumns={setColumns} defaults={defaults} onDefaults={setDefaults} problems={problems} />
          </Flex>
        )}
        {step === 2 && loaded && (
          <Flex vertical gap={16}>
            {run.isError && <ErrorAlert error={run.error} />}
            <ImportProgress pending={run.isPending} rows={loaded.rows.length} result={run.data} onAgain={restart} onBack={() => run.reset()} failed={run.isError} />
          </Flex>
        )}
      </Card>
    </Flex>
  );
}
