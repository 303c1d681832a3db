module.exports=2
