import { useEffect, useRef } from 'react';
import { echarts, type EChartsCoreOption } from './echarts';

/**
 * One ECharts chart that follows its container's width. `label` is read by screen readers;
 * `data-chart-drawn` turns true once ECharts has finished rendering (the end-to-end tests and the
 * speed measurement wait for it). Charts draw without animation: on a page of nine charts the
 * grow-in animations only delay the figures by a second.
 */
export function Chart({ option, height = 320, label }: { option: EChartsCoreOption; height?: number; label: string }) {
  const ref = useRef<HTMLDivElement>(null);
  const chart = useRef<ReturnType<typeof echarts.init> | null>(null);

  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const instance = echarts.init(el, undefined, { renderer: 'canvas' });
    chart.current = instance;
    instance.on('finished', () => el.setAttribute('data-chart-drawn', 'true'));
    const observer = new ResizeObserver(() => instance.resize());
    observer.observe(el);
    return () => {
      observer.disconnect();
      instance.dispose();
      chart.current = null;
    };
  }, []);

  useEffect(() => {
    chart.current?.setOption({ aria: { enabled: true }, animation: false, ...option }, true);
  }, [option]);

  return <div ref={ref} data-echarts="" role="img" aria-label={label} style={{ width: '100%', height }} />;
}
