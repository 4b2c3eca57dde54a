-- wrk script: requests the paths given after `--` in turn, on every connection of the one thread.
local paths
local i = 0

function init (args)
  paths = args
end

function request ()
  i = i % #paths + 1
  return wrk.format('GET', paths[i])
end
