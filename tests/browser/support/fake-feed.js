// A stand-in publisher of fx.* and smog.* payloads (the shapes of docs/feeds.md), for working on the
// dashboard when the gateway's own simulator is off. Not used by the tests, which rely on --Feeds:Enabled.
//   node tests/browser/support/fake-feed.js <redis port>
import { redisClient } from './resp.js';

const port = Number(process.argv[2] ?? 6379);
const redis = await redisClient(port);
const pairs = { EURUSD: 1.0842, GBPUSD: 1.2711, USDJPY: 151.32, USDCHF: 0.8812, AUDUSD: 0.6571, EURPLN: 4.3121 };
const stations = [
  ['krakow', 'al-krasinskiego', 'Kraków, Al. Krasińskiego', 45],
  ['krakow', 'nowa-huta', 'Kraków, Nowa Huta', 30],
  ['krakow', 'kurdwanow', 'Kraków, Kurdwanów', 18],
  ['warszawa', 'marszalkowska', 'Warszawa, Marszałkowska', 22],
  ['warszawa', 'ursynow', 'Warszawa, Ursynów', 9],
  ['wroclaw', 'wisniowa', 'Wrocław, Wiśniowa', 60],
];
const bands = [[10, 'good'], [20, 'fair'], [25, 'moderate'], [50, 'poor'], [75, 'very poor'], [Infinity, 'extremely poor']];
let seq = 0;
setInterval(() => {
  for (const [pair, mid] of Object.entries(pairs)) {
    if (Math.random() < 0.5) continue;
    const pip = pair.endsWith('JPY') ? 0.01 : 0.0001;
    const next = mid + (Math.random() - 0.5) * 4 * pip;
    pairs[pair] = next;
    const half = (1 + Math.random()) * pip / 2;
    redis.command('PUBLISH', `fx.${pair}`, JSON.stringify({ pair, bid: +(next - half).toFixed(5), ask: +(next + half).toFixed(5), mid: +next.toFixed(6), ts: new Date().toISOString(), seq: ++seq }));
  }
}, 100);
setInterval(() => {
  for (const s of stations) {
    const [city, station, name] = s;
    s[3] = Math.max(1, s[3] + (Math.random() - 0.5) * 6);
    const pm25 = Math.random() < 0.05 ? null : +s[3].toFixed(1);
    const band = bands.findIndex(([limit]) => (pm25 ?? 0) < limit);
    redis.command('PUBLISH', `smog.${city}.${station}`, JSON.stringify({
      station, city, name, lat: 50.06, lon: 19.92, ts: new Date().toISOString(),
      pm25, pm10: +(s[3] * 1.4).toFixed(1), no2: +(20 + Math.random() * 20).toFixed(1), o3: +(30 + Math.random() * 10).toFixed(1),
      temperature: -1.5, humidity: 84, aqi: { band: bands[band][1], index: band + 1, pollutant: 'pm25' },
      flags: station === 'ursynow' ? ['stuck:pm10'] : [], seq: ++seq,
    }));
  }
}, 1000);
