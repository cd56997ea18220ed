namespace LoadGen.Cli;

public static class Usage
{
    public const string Text = """
        LoadGen: open-loop pub/sub load generator for PushGateway and the Socket.IO baseline.

        usage: LoadGen [options]                 run a benchmark (exit 1 unless clean: no loss, no duplicates)
               LoadGen compare A.json B.json     figures of two --json reports side by side, with ratios A/B
               LoadGen selftest                  check the histogram, schedule, codecs and trackers

          --url URL               ws://127.0.0.1:5080/ws (repeatable: clients round-robin over the URLs)
          --target T              pushgw | socketio (default pushgw)
          --redis HOST:PORT       where the publisher PUBLISHes (default 127.0.0.1:6379)
          --connections N         clients (default 100)
          --topics T              topics bench.t0 .. bench.t{T-1} (default 10)
          --subs-per-conn K       distinct topics per client; every topic gets N*K/T subscribers (default 1)
          --rate R                messages/s published in total, open loop (default 100)
          --duration D            measured time, e.g. 30s, 500ms, 2m (default 30s)
          --warmup D              unmeasured time before it (default 5s)
          --payload-bytes B       size of the JSON payload (default 100)
          --source-ips A-B        local addresses to bind client sockets to, round-robin: 127.0.0.1-127.0.0.8
          --gateway-pid PID       server process(es) to read CPU and RSS of (repeatable)
          --protocol P            json | msgpack (pushgw subprotocol; default json)
          --max-rate N            sent as "maxRate" in every subscribe
          --idle                  connect and subscribe, publish nothing (RSS per connection)
          --ramp                  step the rate up (x --ramp-factor, default 1.5, --ramp-steps 10) until loss or
                                  p99 > --ramp-max-p99-ms (default 100); each step lasts --duration
          --processes P           run the clients in P child processes (one publisher); source IPs are split
          --json                  print the report as JSON on stdout (the text report goes to stderr)
          --label NAME            name the run in reports
          --topic-prefix S        default bench.t
          --connect-concurrency N connects in flight per process (default 64)
          --max-in-flight N       PUBLISHes awaiting Redis' answer at most (default 20000)
          --drain-timeout D       how long to wait for stragglers after publishing (default 15s)
          --sio-publisher P       csharp (the emitter's Redis protocol, default) | node (bench/socketio/publisher.mjs)
          --sio-dir DIR           where publisher.mjs is (found from the binary's location by default)
        """;
}
