// Overview: health per profile, last and next runs, totals, size and duration over time, and the
// failures someone should look at.
import { lazy, Suspense, useEffect, useMemo, type ComponentType } from 'react';
import { EngineText } from '../components/EngineText.tsx';
import { useNow } from '../components/hooks.ts';
import { icons } from '../components/icons.tsx';
import { SchedulingBanner } from '../components/SchedulingBanner.tsx';
import { EmptyState, ErrorNotice, Notice, PageHeader, StatusBadge } from '../components/ui.tsx';
import { attentionDetail, attentionItems } from '../lib/attention.ts';
import { profileHealth, systemReasons } from '../lib/health.ts';
import { formatBytes, formatCount, formatDateTime, formatPercent, formatRelative, formatTenthsOfSeconds, plural } from '../lib/format.ts';
import { chartSeries, type Point } from '../lib/series.ts';
import { ofThemInSets } from '../lib/set-rows.ts';
import { useBackups } from '../stores/backups.ts';
import { useNav } from '../stores/nav.ts';
import { useOverview } from '../stores/overview.ts';
import { useProfiles } from '../stores/profiles.ts';
import { useSchedules } from '../stores/schedules.ts';
import { NOT_RUN_LABEL, schedulesRun } from '../lib/next-run.ts';

// recharts is most of the app's code and only these two charts use it: it loads with them, so the
// other pages (the Backups table above all) start without waiting for it. Same-origin chunks, so
// the CSP's script-src 'self' allows them.
const SizeChart = lazy(() => import('./DashboardCharts.tsx').then((charts) => ({ default: charts.SizeChart })));
const DurationChart = lazy(() => import('./DashboardCharts.tsx').then((charts) => ({ default: charts.DurationChart })));

export function Dashboard() {
  const health = useOverview((s) => s.health);
  const stats = useOverview((s) => s.stats);
  const profiles = useProfiles((s) => s.profiles);
  const profilesLoaded = useProfiles((s) => s.loaded);
  const rows = useBackups((s) => s.rows);
  const schedules = useSchedules((s) => s.schedules);
  const willRun = useSchedules((s) => schedulesRun(s.hosts));
  const { navigate, openBackupDialog } = useNav.getState();
  const now = useNow(30_000);

  useEffect(() => {
    void useOverview.getState().loadHealth();
    void useSchedules.getState().load();
    void useBackups.getState().loadOrJoin();
    void useProfiles.getState().load();
  }, []);

  const perProfile = useMemo(
    () =>
      stats.value && health.value
        ? profileHealth(
            profiles.map((p) => p.name),
            stats.value,
            health.value,
          )
        : [],
    [profiles, stats.value, health.value],
  );
  const series = useMemo(() => chartSeries(rows), [rows]);
  const attention = useMemo(() => attentionItems(rows), [rows]);

  if (profilesLoaded && profiles.length === 0) {
    return (
      <>
        <PageHeader title="Overview" />
        <EmptyState
          title="No connections yet"
          action={
            <button
              type="button"
              className="btn btn--primary"
              onClick={() => {
                useProfiles.getState().openForm();
                navigate('connections');
              }}
            >
              {icons.plus} Add a connection
            </button>
          }
        >
          Holdfast backs up PostgreSQL databases you connect it to. Add a connection profile (host, port, user, database), test it, and take your first backup.
        </EmptyState>
      </>
    );
  }

  const s = stats.value;
  const runs = s ? s.successfulBackups + s.failedBackups : 0;
  const system = health.value ? systemReasons(health.value) : [];

  return (
    <>
      <PageHeader
        title="Overview"
        subtitle={
          health.value ? (
            <>
              Overall <StatusBadge status={health.value.status} /> · checked {formatRelative(health.value.timestamp, now)}
            </>
          ) : (
            'Loading…'
          )
        }
        actions={
          <button type="button" className="btn btn--primary" onClick={() => openBackupDialog()}>
            {icons.play} Back up now
          </button>
        }
      />
      {health.error ? <ErrorNotice error={health.error} /> : null}
      <SchedulingBanner />
      {system.map((reason) => (
        <Notice key={reason.code} tone="warn" title={reason.severity === 'unhealthy' ? 'Needs fixing' : 'Attention'}>
          <EngineText text={reason.message} />
        </Notice>
      ))}

      <section className="kpis" aria-label="Totals">
        <Kpi label="Backups kept" value={formatCount(s?.totalBackups)} detail={s ? `${formatCount(s.backupsLast24Hours)} in the last 24 h · ${formatCount(s.backupsLast7Days)} in 7 days` : ''} />
        <Kpi label="Stored" value={formatBytes(s?.totalSize)} detail={s ? `avg ${formatBytes(s.averageSize)} · ${s.compressionUsage}% of backups compressed` : ''} />
        <Kpi
          label="Success rate"
          value={formatPercent(s?.successfulBackups ?? 0, runs)}
          detail={s ? `${formatCount(s.successfulBackups)} ok · ${formatCount(s.failedBackups)} failed or interrupted${ofThemInSets(s.failedBackups, s.failedInSets)}` : ''}
        />
        <Kpi
          label="Average duration"
          value={s ? formatTenthsOfSeconds(s.averageDuration, s.totalBackups) : '—'}
          detail={s?.newestBackup ? `newest ${formatRelative(s.newestBackup, now)}` : 'no backups yet'}
        />
      </section>

      <section className="card" aria-labelledby="health-title">
        <header className="card__header">
          <h2 id="health-title" className="card__title">
            Profiles
          </h2>
        </header>
        <table className="table">
          <thead>
            <tr>
              <th scope="col">Profile</th>
              <th scope="col">Health</th>
              <th scope="col">Last backup</th>
              <th scope="col">Next run</th>
              <th scope="col" className="num">
                Backups
              </th>
              <th scope="col" className="num">
                Size
              </th>
            </tr>
          </thead>
          <tbody>
            {perProfile.map((p) => {
              const next = schedules
                .filter((sc) => sc.profile === p.profile && sc.nextRun)
                .map((sc) => sc.nextRun!)
                .sort()[0];
              return (
                <tr key={p.profile}>
                  <th scope="row">{p.profile}</th>
                  <td>
                    <StatusBadge status={p.status} />
                    {p.reasons.length ? (
                      <ul className="reasons">
                        {p.reasons.map((r) => (
                          <li key={r}>
                            <EngineText text={r} />
                          </li>
                        ))}
                      </ul>
                    ) : null}
                  </td>
                  <td title={formatDateTime(p.newestBackup)}>
                    {formatRelative(p.newestBackup, now)}
                    {p.copies ? (
                      <div className="muted">
                        {p.copies.healthy} of {plural(p.copies.total, 'copy', 'copies')} healthy
                      </div>
                    ) : null}
                  </td>
                  <td title={willRun ? formatDateTime(next) : undefined}>
                    {!next ? <span className="muted">not scheduled</span> : willRun ? formatRelative(next, now) : <span className="muted">{NOT_RUN_LABEL}</span>}
                  </td>
                  <td className="num">{formatCount(p.totalBackups)}</td>
                  <td className="num">{formatBytes(p.totalSize)}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </section>

      <div className="grid-2">
        <ChartCard title="Backup size" subtitle={series.some((p) => p.count > 1) ? 'daily average' : undefined} empty={series.length < 1}>
          <Lazy chart={SizeChart} series={series} />
        </ChartCard>
        <ChartCard title="Duration" subtitle={series.some((p) => p.count > 1) ? 'daily average' : undefined} empty={series.length < 1}>
          <Lazy chart={DurationChart} series={series} />
        </ChartCard>
      </div>

      <section className="card" aria-labelledby="attention-title">
        <header className="card__header">
          <h2 id="attention-title" className="card__title">
            Needs attention
          </h2>
          <button type="button" className="btn btn--ghost btn--small" onClick={() => navigate('activity')}>
            All activity
          </button>
        </header>
        {attention.length === 0 ? (
          <p className="card__empty">Nothing needs attention: no failed runs, missing files or failed verifications.</p>
        ) : (
          <ul className="attention">
            {attention.map((item) => (
              <li key={item.row.id} className="attention__item">
                <StatusBadge status={item.kind === 'verify' ? 'invalid' : item.kind === 'drill' ? 'failed' : item.row.status} />
                <div>
                  <p className="attention__title">
                    {item.row.profile} <span className="muted">· {formatRelative(item.at, now)}</span>
                  </p>
                  <p className="attention__detail">{attentionDetail(item, now)}</p>
                </div>
              </li>
            ))}
          </ul>
        )}
      </section>
    </>
  );
}

function Kpi({ label, value, detail }: { label: string; value: string; detail: string }) {
  return (
    <div className="kpi">
      <p className="kpi__label">{label}</p>
      <p className="kpi__value">{value}</p>
      <p className="kpi__detail">{detail}</p>
    </div>
  );
}

function Lazy({ chart: Chart, series }: { chart: ComponentType<{ series: Point[] }>; series: Point[] }) {
  return (
    <Suspense fallback={<div className="chart-loading" aria-hidden="true" />}>
      <Chart series={series} />
    </Suspense>
  );
}

function ChartCard({ title, subtitle, empty, children }: { title: string; subtitle?: string | undefined; empty: boolean; children: React.ReactNode }) {
  return (
    <section className="card chart-card" aria-label={title}>
      <header className="card__header">
        <h2 className="card__title">{title}</h2>
        {subtitle ? <span className="muted">{subtitle}</span> : null}
      </header>
      {empty ? <p className="card__empty">The chart fills in as backups complete.</p> : <div className="chart">{children}</div>}
    </section>
  );
}
