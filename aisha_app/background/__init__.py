"""Work off the request path: the job queue and its handlers, the workers, the webhook writer."""
