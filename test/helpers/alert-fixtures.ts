/** Alert payloads shaped exactly as monitoring sends them. */

/** A firing group exactly as Alertmanager 0.27 posts it. */
export function alertmanagerGroup(status: 'firing' | 'resolved' = 'firing', groupKey = '{}:{alertname="CheckoutErrors", service="checkout"}') {
  return {
    receiver: 'incidents',
    status,
    alerts: [
      {
        status,
        labels: { alertname: 'CheckoutErrors', service: 'checkout', severity: 'critical', instance: 'web-1:9100' },
        annotations: { summary: 'Checkout 5xx above 5%', description: 'Error ratio is 7.2% on web-1' },
        startsAt: '2026-11-27T08:00:00.000Z',
        endsAt: status === 'firing' ? '0001-01-01T00:00:00Z' : '2026-11-27T08:20:00.000Z',
        generatorURL: 'http://prometheus:9090/graph?g0.expr=rate',
        fingerprint: 'c0ffee01',
      },
      {
        status,
        labels: { alertname: 'CheckoutErrors', service: 'checkout', severity: 'critical', instance: 'web-2:9100' },
        annotations: { summary: 'Checkout 5xx above 5%', description: 'Error ratio is 6.1% on web-2' },
        startsAt: '2026-11-27T08:01:00.000Z',
        endsAt: status === 'firing' ? '0001-01-01T00:00:00Z' : '2026-11-27T08:20:00.000Z',
        generatorURL: 'http://prometheus:9090/graph?g0.expr=rate',
        fingerprint: 'c0ffee02',
      },
    ],
    groupLabels: { alertname: 'CheckoutErrors', service: 'checkout' },
    commonLabels: { alertname: 'CheckoutErrors', service: 'checkout', severity: 'critical' },
    commonAnnotations: { summary: 'Checkout 5xx above 5%' },
    externalURL: 'http://alertmanager:9093',
    version: '4',
    groupKey,
    truncatedAlerts: 0,
  };
}
