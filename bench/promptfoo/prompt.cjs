// The prompt for the promptfoo row of `npm run bench`: each test's `prompt` var (the harness's rendered FLAMe
// prompt) sent verbatim as one user message, as the harness sends it. A function, not a template, so promptfoo
// does not run the prompt text (which contains code with "{{") through Nunjucks; the bench also sets
// PROMPTFOO_DISABLE_TEMPLATING so the vars themselves are not rendered either.
module.exports = ({ vars }) => [{ role: 'user', content: vars.prompt }];
