-- wrk: posts to the fake SMS provider exactly what warrantyd's Twilio-compatible client posts for one
-- text (the form, basic auth), so the reference and warrantyd load the same server the same way.
wrk.method = "POST"
wrk.path = "/2010-04-01/Accounts/" .. os.getenv("WD_ACCOUNT") .. "/Messages.json"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["Authorization"] = "Basic " .. os.getenv("WD_BASIC")
wrk.body = os.getenv("WD_FORM")

done = function(summary, latency, requests)
  io.write(string.format("RESULT rps=%.1f non2xx=%d\n",
    summary.requests / (summary.duration / 1e6),
    summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
