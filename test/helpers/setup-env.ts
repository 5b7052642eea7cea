// Powertools prints pretty, synchronous logs in dev mode and keeps metrics quiet.
process.env.POWERTOOLS_DEV = 'true';
