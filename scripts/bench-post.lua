-- wrk script for scripts/bench-stack and scripts/bench-serve: every request is a POST of the JSON
-- body in the file named by BENCH_BODY (the URL gives the path). No response() hook: wrk counts
-- non-2xx answers itself, and the hook would cost every response a parse.
local path = os.getenv("BENCH_BODY") or error("BENCH_BODY: the request body file is not set")
local f = assert(io.open(path, "rb"))
wrk.method = "POST"
wrk.body = f:read("*a")
f:close()
wrk.headers["Content-Type"] = "application/json"
